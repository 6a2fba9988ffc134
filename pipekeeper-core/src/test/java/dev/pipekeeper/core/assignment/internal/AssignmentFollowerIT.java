package dev.pipekeeper.core.assignment.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.internal.Connection;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.ZooKeeperTree;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member follows generations by their changes and reads the whole assignment only when it must:
 * first, after a generation it missed, and after nodes written behind Pipekeeper's back.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class AssignmentFollowerIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  private static final String G = "ingest";

  @Test
  void generationsAreFollowedByTheirChangesAndReadWholeOnlyWhenNeeded(TestCluster cluster)
      throws Exception {
    try (Pipekeeper leader = Clients.connect(cluster, "leader");
        Pipekeeper member = Clients.connect(cluster, "member");
        Leadership leadership = leader.leadership("ingest-assigner").start();
        ZooKeeperTree tree = ZooKeeperTree.connect(cluster.zkConnect())) {
      Lease lease = leadership.awaitLease(BOUND).orElseThrow();
      DefaultAssignments assignments = new DefaultAssignments(Connection.of(member).session(), G);
      AssignmentFollower follower =
          new AssignmentFollower(Connection.of(member).session(), G, assignments);
      assertThat(follower.current()).isEmpty();

      Map<String, String> owners = new HashMap<>();
      for (int u = 0; u < 1000; u++) {
        owners.put("u" + u, "m" + (u % 10));
      }
      Assignment first = leader.assignments(G).publish(lease, owners);
      assertThat(follower.current()).contains(first);
      assertThat(follower.wholeReads()).isEqualTo(1);
      assertThat(follower.current()).as("nothing new: the stat only").contains(first);
      assertThat(follower.wholeReads()).isEqualTo(1);

      for (int g = 0; g < 5; g++) {
        owners.put("u" + g, "m-new");
        owners.remove("u" + (500 + g));
        Assignment next = leader.assignments(G).publish(lease, owners);
        assertThat(follower.current()).as("generation %d", next.generation()).contains(next);
      }
      assertThat(follower.wholeReads()).as("every generation by its change").isEqualTo(1);
      String change = ZkLayout.root(cluster.cluster()) + ZkLayout.assignmentChange(G);
      assertThat(tree.client().getData(change, false, null).length)
          .as("a change holds what moved, not the group's 1,000 units")
          .isLessThan(400);

      // two generations while the member did not look: the second's change does not start from
      // what it holds, so it reads the whole
      leader.assignments(G).publish(lease, Map.of("u1", "m1"));
      Assignment skipped = leader.assignments(G).publish(lease, Map.of("u1", "m2", "u2", "m2"));
      assertThat(follower.current()).contains(skipped);
      assertThat(follower.wholeReads()).isEqualTo(2);

      // a generation whose change node is then overwritten with garbage: read whole, right; the
      // next publication writes a good change again, and it is followed by it
      Assignment beforeGarbage = leader.assignments(G).publish(lease, Map.of("u3", "m3"));
      tree.client().setData(change, "{not json".getBytes(StandardCharsets.UTF_8), -1);
      assertThat(follower.current()).contains(beforeGarbage);
      assertThat(follower.wholeReads()).isEqualTo(3);
      Assignment next = leader.assignments(G).publish(lease, Map.of("u3", "m4"));
      assertThat(follower.current()).contains(next);
      assertThat(follower.wholeReads()).isEqualTo(3);

      // the assignment itself written behind Pipekeeper's back: its change does not match it
      String path = ZkLayout.root(cluster.cluster()) + ZkLayout.assignment(G);
      byte[] foreign =
          ("{\"generation\":99,\"epoch\":1,\"leader\":\"zkCli\",\"owners\":{\"u9\":\"m9\"},"
                  + "\"at\":\"2026-12-03T00:00:00Z\"}")
              .getBytes(StandardCharsets.UTF_8);
      tree.client().setData(path, foreign, -1);
      assertThat(follower.current().orElseThrow().owners()).containsExactly(Map.entry("u9", "m9"));
      assertThat(follower.wholeReads()).isEqualTo(4);
    }
  }
}
