package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member's applied-config record ({@code config/applied/MEMBER}) says what the member applied,
 * whatever came between: a write that lands late, or one made behind its back, is overwritten with
 * the truth; the views of one member share one record.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class AppliedRecordIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  static final ChangeOptions OPS = ChangeOptions.by("ops");

  /**
   * The fault suite's SINGLETON run once saw a member's record stay at an older version after it
   * came back from a pause past its session: a data change retried by Curator after the connection
   * loss, or the node's create after the new session, landed after the newest one. Such a late
   * write looks, to the member, like an older record written behind its back.
   */
  @Test
  void anOlderRecordWrittenOverTheMembersOwnIsRestored(TestCluster cluster) throws Exception {
    Scope scope = Scope.pipeline("stream");
    try (Pipekeeper writer = Clients.connect(cluster, "writer");
        Pipekeeper member = Clients.connect(cluster, "w1");
        CuratorFramework raw = ForeignConfigIT.raw(cluster)) {
      member.config().view("stream", "w1");
      writer.config().set(scope, "seq", IntNode.valueOf(1), OPS);
      writer.config().set(scope, "seq", IntNode.valueOf(2), OPS);
      int version = writer.config().version(scope);
      await().atMost(BOUND).until(() -> applied(writer, "w1", scope) == version);

      String path = ZkLayout.root(cluster.cluster()) + ZkLayout.configApplied("w1");
      String older =
          "{\"member\":\"w1\",\"versions\":{\"pipeline/stream\":"
              + (version - 1)
              + "},\"lastKnownGood\":[],\"at\":\"2026-01-01T00:00:00Z\"}";
      raw.setData().forPath(path, older.getBytes(StandardCharsets.UTF_8));

      await().atMost(BOUND).until(() -> applied(writer, "w1", scope) == version);
      Stat stat = raw.checkExists().forPath(path);
      assertThat(stat.getEphemeralOwner()).isEqualTo(member.sessionId());
      assertThat(writer.config().applied().get("w1").at())
          .isAfter(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    }
  }

  @Test
  void theViewsOfOneMemberShareItsRecordAndClosingOneKeepsTheOthersPart(TestCluster cluster) {
    Scope first = Scope.pipeline("first");
    Scope second = Scope.pipeline("second");
    try (Pipekeeper writer = Clients.connect(cluster, "writer");
        Pipekeeper member = Clients.connect(cluster, "w1")) {
      writer.config().set(first, "a", IntNode.valueOf(1), OPS);
      writer.config().set(second, "b", IntNode.valueOf(1), OPS);
      writer.config().set(second, "b", IntNode.valueOf(2), OPS);
      ConfigView one = member.config().view("first", "w1");
      ConfigView two = member.config().view("second", "w1");
      int firstVersion = writer.config().version(first);
      int secondVersion = writer.config().version(second);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  applied(writer, "w1", first) == firstVersion
                      && applied(writer, "w1", second) == secondVersion);

      writer.config().set(first, "a", IntNode.valueOf(3), OPS);
      int changed = writer.config().version(first);
      await().atMost(BOUND).until(() -> applied(writer, "w1", first) == changed);
      assertThat(applied(writer, "w1", second)).isEqualTo(secondVersion);

      one.close();
      await()
          .atMost(BOUND)
          .untilAsserted(
              () ->
                  assertThat(writer.config().applied().get("w1").versions())
                      .containsEntry(second.path(), secondVersion)
                      .doesNotContainKey(first.path()));
      two.close();
      await().atMost(BOUND).until(() -> !writer.config().applied().containsKey("w1"));
    }
  }

  static int applied(Pipekeeper reader, String member, Scope scope) {
    AppliedConfig applied = reader.config().applied().get(member);
    return applied == null ? -1 : applied.versions().getOrDefault(scope.path(), -1);
  }
}
