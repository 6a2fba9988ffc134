package dev.pipekeeper.connect.source;

import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.awaitState;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.client;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.connect.testing.ChangeLog;
import dev.pipekeeper.connect.testing.DistributedWorkerMain;
import dev.pipekeeper.connect.testing.OperationStream;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exactly-once: the connector on a distributed worker with {@code exactly.once.source.support=
 * enabled} (and {@code exactly.once.support=required}, which validation refuses unless the
 * connector says it is supported), in a cluster of two workers running at once, one of which is
 * killed ({@code SIGKILL}) in the middle of a seeded random stream; the other takes over what it
 * ran (the connector, its task, or both) from the offsets topic. The committed topic
 * (read_committed) must end as ZooKeeper is, with no record twice and none missing (the invariants
 * fail on a repeated create, delete, tombstone or a change that does not move on).
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ExactlyOnceSourceIT {
  private static final Duration START = TestTimeouts.scaled(Duration.ofSeconds(90));
  private static final List<String> JVM =
      List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  @Test
  void aWorkerKilledMidStreamLeavesNoDuplicateAndNoGap(TestCluster cluster) throws Exception {
    long seed = Seeds.seed("property.seed", "ExactlyOnceSourceIT");
    String root = cluster.chroot() + "/tree";
    String topic = cluster.topic("changes");
    String group = cluster.topic("connect");
    try (CuratorFramework zk = client(cluster.zkConnect())) {
      OperationStream ops = new OperationStream(zk, root, seed);
      ops.run(20);
      List<String> args = new ArrayList<>(List.of(cluster.bootstrapServers(), group, "zk"));
      Map<String, String> config = config(cluster.zkConnect(), root, topic);
      config.put("exactly.once.support", "required");
      config.forEach((k, v) -> args.add(k + "=" + v));
      try (ChildJvm first = ChildJvm.start(DistributedWorkerMain.class, args, JVM)) {
        // the first creates the connector (as the group's leader: a herder takes configs only
        // there), then a second joins: the connector and its task are dealt between the two
        awaitRunning(first);
        try (ChildJvm second =
            ChildJvm.start(
                DistributedWorkerMain.class,
                List.of(cluster.bootstrapServers(), group, "zk"),
                JVM)) {
          awaitRunning(second);
          ops.run(100);
          first.kill(); // mid-stream: what it polled last is in an open transaction or unsent
          ops.run(50);
          // the survivor takes over what the killed worker ran, from the offsets topic
          ops.run(50);
          long start = System.nanoTime();
          ChangeLog log = awaitState(cluster, zk, root, topic);
          System.out.println(
              "ExactlyOnceSourceIT: topic as ZooKeeper after "
                  + Duration.ofNanos(System.nanoTime() - start).toMillis()
                  + " ms");
          log.checkInvariants();
          assertThat(log.entries()).isNotEmpty();
        }
      }
    }
  }

  /** Waits for the worker's {@code running}; on failure shows what it printed. */
  private static void awaitRunning(ChildJvm worker) {
    long start = System.nanoTime();
    try {
      worker.awaitLine("running", START);
      System.out.println(
          "ExactlyOnceSourceIT: worker running after "
              + Duration.ofNanos(System.nanoTime() - start).toMillis()
              + " ms");
    } catch (RuntimeException e) {
      List<String> lines = worker.lines();
      lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
      throw e;
    }
  }
}
