package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Monitors started at the same moment (replicas of one deployment) all start. */
@ExtendWith(EmbeddedClusterExtension.class)
class MonitorsStartedAtOnceIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  static final int REPLICAS = 3;
  static final int ROUNDS = 6;

  @Test
  void eachInstallsTheRulesSchemaOrFindsItInstalled(TestCluster cluster) throws Exception {
    List<Pipekeeper> replicas = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(REPLICAS);
    try {
      for (int i = 0; i < REPLICAS; i++) {
        replicas.add(Clients.connect(cluster, "monitor-" + i));
      }
      for (int round = 0; round < ROUNDS; round++) {
        replicas.get(0).config().deleteSchema(Scope.global(), Rules.KEY);
        CyclicBarrier start = new CyclicBarrier(REPLICAS);
        List<Future<Monitor>> started = new ArrayList<>();
        for (Pipekeeper replica : replicas) {
          started.add(
              threads.submit(
                  () -> {
                    start.await();
                    return replica.monitor().logSink(false).start();
                  }));
        }
        List<Monitor> monitors = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (Future<Monitor> monitor : started) {
          try {
            monitors.add(monitor.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
          } catch (java.util.concurrent.ExecutionException e) {
            failures.add(e.getCause());
          }
        }
        monitors.forEach(Monitor::close);
        assertThat(failures).as("monitors that failed to start").isEmpty();
        assertThat(replicas.get(0).config().schema(Scope.global(), Rules.KEY))
            .contains(Rules.schema());
      }
    } finally {
      threads.shutdownNow();
      replicas.forEach(Pipekeeper::close);
    }
  }
}
