package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.ClusterChange.Area;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReports;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster watch: a change of each area is told, with its name; nodes no area shows are not;
 * after a reconnect the watch is set again and says so; closed, it tells nothing more.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ClusterWatchIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final ChangeOptions BY_TEST = ChangeOptions.by("cluster-watch-it");

  private static Pipekeeper connect(TestCluster cluster, String zk, String id) {
    return Pipekeeper.builder()
        .zookeeper(zk)
        .cluster(cluster.cluster())
        .identity(id)
        .sessionTimeout(Duration.ofSeconds(30))
        .connectionTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** What a listener was told, as {@code AREA:name}. */
  private static final class Told implements ClusterListener {
    final List<String> changes = new CopyOnWriteArrayList<>();
    final AtomicInteger watching = new AtomicInteger();

    @Override
    public void changed(ClusterChange change) {
      changes.add(change.area() + ":" + change.name());
    }

    @Override
    public void watching() {
      watching.incrementAndGet();
    }

    boolean saw(Area area, String name) {
      return changes.contains(area + ":" + name);
    }
  }

  @Test
  void aChangeOfEachAreaIsToldWithItsName(TestCluster cluster) throws Exception {
    Told told = new Told();
    try (Pipekeeper watcher = connect(cluster, cluster.zkConnect(), "watcher");
        Pipekeeper other = connect(cluster, cluster.zkConnect(), "other")) {
      ClusterWatch watch = watcher.inspector().watch(told);
      await().atMost(BOUND).until(() -> told.watching.get() == 1);

      Member member = other.membership().join("orders", MemberInfo.withCapacity(1));
      await().atMost(BOUND).until(() -> told.saw(Area.MEMBERS, "orders"));

      try (Leadership leadership = other.leadership("nightly").start()) {
        leadership.awaitLease(BOUND).orElseThrow();
        await().atMost(BOUND).until(() -> told.saw(Area.LEADERS, "nightly"));
      }

      other.workUnits("orders").put(WorkUnit.of("tenant-1"));
      await().atMost(BOUND).until(() -> told.saw(Area.ASSIGNMENT, "orders"));

      HealthPublication health =
          other
              .health()
              .publish(
                  "orders",
                  Duration.ofSeconds(5),
                  () -> HealthReports.running("orders", member.id()));
      await().atMost(BOUND).until(() -> told.saw(Area.HEALTH, "orders"));
      health.close();

      other.config().set(Scope.pipeline("billing"), "batch.size", 10, BY_TEST);
      await().atMost(BOUND).until(() -> told.saw(Area.CONFIG, "pipeline/billing"));

      ConfigView view = other.config().view("billing", member.id());
      await().atMost(BOUND).until(() -> told.saw(Area.APPLIED, member.id()));
      view.close();

      // a group smaller than its rule wants: the monitor stores a live alert
      other
          .config()
          .set(
              Scope.global(),
              Rules.KEY,
              new ObjectMapper()
                  .readTree(
                      "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"orders\","
                          + " \"min\": 2}]"),
              BY_TEST);
      Monitor monitor =
          other.monitor().evaluationInterval(Duration.ofMillis(200)).logSink(false).start();
      await().atMost(BOUND).until(() -> !watcher.alerts().active().isEmpty());
      String key = watcher.alerts().active().get(0).key();
      await().atMost(BOUND).until(() -> told.saw(Area.ALERTS, key));
      monitor.close();
      member.close();

      // history entries are no area of their own: only the commit is told, once per scope
      assertThat(told.changes).noneMatch(c -> c.contains("config-history"));
      assertThat(told.changes).noneMatch(c -> c.startsWith("CONFIG:") && c.contains("batch.size"));

      watch.close();
      int before = told.changes.size();
      other.config().set(Scope.pipeline("billing"), "batch.size", 11, BY_TEST);
      // a change the closed watch would have told: another watch sees it, the closed one does not
      Told second = new Told();
      ClusterWatch again = watcher.inspector().watch(second);
      await().atMost(BOUND).until(() -> second.watching.get() == 1);
      other.config().set(Scope.pipeline("billing"), "batch.size", 12, BY_TEST);
      await().atMost(BOUND).until(() -> second.saw(Area.CONFIG, "pipeline/billing"));
      again.close();
      assertThat(told.changes).hasSize(before);
    }
  }

  @Test
  void afterAReconnectTheWatchIsSetAgainAndKeepsTelling(TestCluster cluster) throws Exception {
    Told told = new Told();
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", cluster.zookeeper().server(1).clientPort());
        Pipekeeper watcher = connect(cluster, proxy.address(), "watcher");
        Pipekeeper other = connect(cluster, cluster.zkConnect(), "other")) {
      watcher.inspector().watch(told);
      await().atMost(BOUND).until(() -> told.watching.get() == 1);

      proxy.cut();
      await().atMost(BOUND).until(() -> !watcher.connectionState().isConnected());
      proxy.restore();
      await().atMost(BOUND).until(() -> told.watching.get() == 2);

      other.membership().join("after", MemberInfo.withCapacity(1)).close();
      await().atMost(BOUND).until(() -> told.saw(Area.MEMBERS, "after"));
    }
    // closed with the connection: nothing left to tell
  }
}
