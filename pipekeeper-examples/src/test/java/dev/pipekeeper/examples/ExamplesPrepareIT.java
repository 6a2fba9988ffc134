package dev.pipekeeper.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three replicas of an example started at the same moment each prepare ZooKeeper for it: none of
 * them may fail because another one is installing the same schemas.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ExamplesPrepareIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final int REPLICAS = 3;
  private static final int ROUNDS = 8;

  /** The keys whose schemas each example installs. */
  private static final Map<Example, List<String>> SCHEMAS =
      Map.of(
          new EnrichmentExample(),
          List.of(EnrichmentExample.THRESHOLD, EnrichmentExample.TIERS),
          new SchedulerExample(),
          List.of(SchedulerExample.JOBS));

  @Test
  void replicasPreparingAtOnceAllSucceed(TestCluster cluster) throws Exception {
    List<Pipekeeper> replicas = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(REPLICAS);
    try {
      for (int i = 0; i < REPLICAS; i++) {
        replicas.add(
            Pipekeeper.builder()
                .zookeeper(cluster.zkConnect())
                .cluster(cluster.cluster())
                .identity("replica-" + i)
                .build());
      }
      for (Map.Entry<Example, List<String>> example : SCHEMAS.entrySet()) {
        Scope scope = Scope.pipeline(example.getKey().name());
        for (int round = 0; round < ROUNDS; round++) {
          // a fresh start each round: the schemas are not there yet
          for (String key : example.getValue()) {
            replicas.get(0).config().deleteSchema(scope, key);
          }
          CyclicBarrier start = new CyclicBarrier(REPLICAS);
          List<Future<?>> prepared = new ArrayList<>();
          for (Pipekeeper replica : replicas) {
            prepared.add(
                threads.submit(
                    () -> {
                      start.await();
                      example.getKey().prepare(replica);
                      return null;
                    }));
          }
          for (Future<?> each : prepared) {
            each.get(BOUND.toMillis(), TimeUnit.MILLISECONDS); // throws if a replica failed
          }
          for (String key : example.getValue()) {
            assertThat(replicas.get(0).config().schema(scope, key)).as(key).isPresent();
          }
        }
      }
    } finally {
      threads.shutdownNow();
      replicas.forEach(Pipekeeper::close);
    }
  }
}
