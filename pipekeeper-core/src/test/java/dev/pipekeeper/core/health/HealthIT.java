package dev.pipekeeper.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class HealthIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  private static HealthReport report(String member, long processed) {
    return new HealthReport(
        "enricher",
        member,
        "RUNNING",
        processed,
        10.0,
        9.5,
        1,
        0.0,
        Instant.now(),
        Map.of("orders-0", 3L),
        Map.of("pipeline/enricher", 4),
        List.of(),
        Instant.now());
  }

  private static Pipekeeper connect(TestCluster cluster, String id) {
    return Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(id)
        .build();
  }

  @Test
  void aMemberPublishesOneRecordPerIntervalAndClosingRemovesIt(TestCluster cluster)
      throws Exception {
    AtomicLong processed = new AtomicLong();
    try (Pipekeeper member = connect(cluster, "m1");
        Pipekeeper reader = connect(cluster, "reader");
        CuratorFramework raw =
            CuratorFrameworkFactory.builder()
                .connectString(cluster.zkConnect())
                .namespace(ZkLayout.namespace(cluster.cluster()))
                .retryPolicy(new RetryOneTime(100))
                .build()) {
      raw.start();
      HealthPublication publication =
          member
              .health()
              .publish(
                  "enricher",
                  Duration.ofMillis(200),
                  () -> report("m1", processed.incrementAndGet()));
      assertThat(reader.health().groups()).containsExactly("enricher");
      HealthReport first = reader.health().reports("enricher").get(0);
      assertThat(first.member()).isEqualTo("m1");
      assertThat(first.lag()).containsEntry("orders-0", 3L);
      assertThat(first.totalLag()).isEqualTo(3);
      await()
          .atMost(BOUND)
          .until(() -> reader.health().reports("enricher").get(0).processed() >= 5);

      // each write is one call of the report, and calls are an interval apart
      String path = ZkLayout.health("enricher", "m1");
      int versionBefore = raw.checkExists().forPath(path).getVersion();
      long callsBefore = processed.get();
      long before = System.nanoTime();
      await().atMost(BOUND).until(() -> processed.get() >= callsBefore + 10);
      long elapsed = System.nanoTime() - before;
      Stat after = raw.checkExists().forPath(path);
      long calls = processed.get() - callsBefore;
      assertThat((long) after.getVersion() - versionBefore)
          .as("writes for %d reports", calls)
          .isBetween(calls - 1, calls);
      assertThat(Duration.ofNanos(elapsed))
          .as("%d reports, each an interval after the one before", calls)
          .isGreaterThanOrEqualTo(Duration.ofMillis(200).multipliedBy(calls - 1));

      publication.close();
      assertThat(raw.checkExists().forPath(path)).isNull();
      assertThat(reader.health().groups()).isEmpty();
    }
  }

  @Test
  void theRecordComesBackAfterTheSessionIsLost(TestCluster cluster) throws Exception {
    try (FaultyClient member = FaultyClient.connect(cluster, "m2");
        Pipekeeper reader = connect(cluster, "reader")) {
      member.pk().health().publish("poller", Duration.ofMillis(200), () -> report("m2", 1));
      assertThat(reader.health().reports("poller")).hasSize(1);
      member.cut(); // past the session: the ephemeral record goes
      await().atMost(BOUND).until(() -> reader.health().reports("poller").isEmpty());
      member.restore();
      await().atMost(BOUND).until(() -> reader.health().reports("poller").size() == 1);
    }
  }

  @Test
  void aTooShortIntervalIsRefused(TestCluster cluster) {
    try (Pipekeeper member = connect(cluster, "m3")) {
      assertThatThrownBy(
              () -> member.health().publish("g", Duration.ofMillis(10), () -> report("m3", 0)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("the health interval must be at least 100 ms, not 10 ms");
      assertThat(member.health().groups()).isEmpty();
    }
  }
}
