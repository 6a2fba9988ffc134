package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stream of changes while the viewing client loses its connection briefly, then for longer than
 * its session: no notification is lost or repeated, and the view ends equal to ZooKeeper.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigReconnectIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final Scope SCOPE = Scope.pipeline("stream");

  @Test
  void noChangeIsLostOrDeliveredTwiceAcrossReconnectsAndExpiry(TestCluster cluster) {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    try (Pipekeeper writer = Clients.connect(cluster, "writer");
        FaultyClient member = FaultyClient.connect(cluster, "member")) {
      ConfigView view = member.pk().config().view(List.of(SCOPE));
      view.onChange("seq", (old, now) -> now.map(JsonNode::asInt).ifPresent(seen::add));
      int n = 0;
      n = write(writer, n, 20);
      await().atMost(BOUND).until(() -> view.get("seq", Integer.class, 0) == 20);

      member.cut(); // shorter than the session
      n = write(writer, n, 10);
      member.restore();
      await().atMost(BOUND).until(() -> view.get("seq", Integer.class, 0) == 30);

      long session = member.pk().sessionId();
      member.blackhole(); // longer than the session: it expires
      n = write(writer, n, 10);
      assertThat(writer.config().version(SCOPE)).isEqualTo(40);
      // Wait until the server has expired the member's session, then let it back.
      await().atMost(BOUND).until(() -> sessionGone(writer, cluster, session));
      member.restore();
      n = write(writer, n, 5);
      int last = n;
      await().atMost(BOUND).until(() -> view.get("seq", Integer.class, 0) == last);
      assertThat(member.pk().sessionId()).isNotEqualTo(session);

      Map<String, JsonNode> stored =
          Map.of("seq", writer.config().get(SCOPE, "seq").orElseThrow().value());
      assertThat(view.values()).isEqualTo(stored);
    }
    assertThat(seen)
        .as("strictly increasing: nothing delivered twice")
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(seen.get(seen.size() - 1)).isEqualTo(45);
  }

  /**
   * A change made just as a member's view comes back from a session expiry (a process paused past
   * its session, as the fault suite's SINGLETON run saw it) is applied and acknowledged: the
   * member's applied record reaches the new version, round after round.
   */
  @Test
  void aChangeMadeAsTheMemberReturnsFromAnExpiryIsAppliedAndAcknowledged(TestCluster cluster) {
    try (Pipekeeper writer = Clients.connect(cluster, "writer");
        FaultyClient member = FaultyClient.connect(cluster, "w1")) {
      ConfigView view = member.pk().config().view("stream", "w1");
      int n = write(writer, 0, 1);
      await().atMost(BOUND).until(() -> acknowledged(writer, "w1") == 1);
      for (int round = 0; round < 6; round++) {
        long session = member.pk().sessionId();
        member.blackhole();
        if (round % 2 == 0) {
          await().atMost(BOUND).until(() -> sessionGone(writer, cluster, session));
        } else {
          // a fault window of its own length, as a pause is: just past the session, so the
          // member comes back while the server may still be expiring it
          Duration window = FaultyClient.SESSION.plusMillis(200L * round);
          await().pollDelay(window).atMost(window.plusSeconds(5)).until(() -> true);
        }
        member.restore();
        n = write(writer, n, 1); // at once, as the scenario's change after its last fault
        int version = writer.config().version(SCOPE);
        int expected = n;
        await()
            .atMost(BOUND)
            .alias("round " + round + ": w1 acknowledges version " + version)
            .until(
                () ->
                    view.get("seq", Integer.class, 0) == expected
                        && acknowledged(writer, "w1") == version);
      }
      view.close();
    }
  }

  private static int acknowledged(Pipekeeper writer, String member) {
    AppliedConfig applied = writer.config().applied().get(member);
    return applied == null ? -1 : applied.versions().getOrDefault(SCOPE.path(), -1);
  }

  private static boolean sessionGone(Pipekeeper writer, TestCluster cluster, long session) {
    return !dev.pipekeeper.core.testing.ServerState.send(cluster.zkConnect(), "cons")
        .contains("sid=0x" + Long.toHexString(session));
  }

  private static int write(Pipekeeper writer, int from, int count) {
    int n = from;
    for (int i = 0; i < count; i++) {
      n++;
      writer.config().set(SCOPE, "seq", IntNode.valueOf(n), ChangeOptions.by("stream"));
    }
    return n;
  }
}
