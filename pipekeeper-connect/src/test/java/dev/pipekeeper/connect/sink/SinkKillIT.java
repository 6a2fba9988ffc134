package dev.pipekeeper.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.connect.testing.DistributedWorkerMain;
import dev.pipekeeper.connect.testing.SinkFixture;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A distributed worker running the sink is killed ({@code SIGKILL}) once half the stream of
 * commands has been sent and at least half of that applied: after ZooKeeper writes that Connect had
 * not committed (its offset commits are periodic). Its Connect offsets are then rewound to the
 * start (as if it had committed none), the rest of the stream is sent while no worker runs, and a
 * second worker of the same group takes the connector over. Every command is a set at the version
 * the one before left, so a command applied twice would be a conflict and one lost would leave the
 * counter short: the counter ends at the last command's value and version, with no conflict and no
 * record applied twice. The second case runs two workers at once and kills the first (which created
 * the connector) mid-stream: the other takes over what it ran.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class SinkKillIT {
  private static final Duration START = TestTimeouts.scaled(Duration.ofSeconds(90));
  private static final List<String> JVM =
      List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final int COMMANDS = 200;

  @Test
  void aWorkerKilledAfterItsWritesBeforeConnectCommittedAppliesNothingTwice(TestCluster cluster)
      throws Exception {
    String app = cluster.chroot() + "/app";
    String counter = app + "/counter";
    String group = cluster.topic("connect");
    try (CuratorFramework zk = ZooKeeperSinkConnectorIT.client(cluster);
        SinkFixture sink = new SinkFixture(cluster, app)) {
      Map<String, String> config = sink.config(ZooKeeperSinkConnector.class.getName());
      // the dead worker's consumer leaves the group after 6 s, not the default 45 s
      config.put("consumer.override.session.timeout.ms", "6000");
      config.put("consumer.override.heartbeat.interval.ms", "1000");
      List<String> args = new ArrayList<>(List.of(cluster.bootstrapServers(), group, "sink"));
      config.forEach((k, v) -> args.add(k + "=" + v));
      List<String> first = new ArrayList<>();
      first.add(ZooKeeperSinkConnectorIT.create(counter, "0"));
      for (int i = 1; i <= 120; i++) {
        first.add(ZooKeeperSinkConnectorIT.set(counter, String.valueOf(i), i - 1));
      }
      long mark;
      try (ChildJvm worker = ChildJvm.start(DistributedWorkerMain.class, args, JVM)) {
        awaitRunning(worker);
        sink.send(first.toArray(String[]::new));
        await()
            .atMost(SinkFixture.BOUND)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> version(zk, counter) >= 60);
        worker.kill(); // applied in ZooKeeper, not all committed by Connect (printed below)
        mark = version(zk, counter) + 1;
      }
      long committed = sink.committed("sink");
      System.out.println(
          "SinkKillIT: killed with "
              + mark
              + " records applied, Connect had committed "
              + committed);
      await()
          .atMost(SinkFixture.BOUND)
          .ignoreExceptions()
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                sink.rewind("sink"); // refused while the dead member is in the group
                return true;
              });
      List<String> second = new ArrayList<>();
      for (int i = 121; i <= COMMANDS; i++) {
        second.add(ZooKeeperSinkConnectorIT.set(counter, String.valueOf(i), i - 1));
      }
      sink.send(second.toArray(String[]::new));
      try (ChildJvm worker =
          ChildJvm.start(
              DistributedWorkerMain.class,
              List.of(cluster.bootstrapServers(), group, "sink"),
              JVM)) {
        awaitRunning(worker);
        await()
            .atMost(SinkFixture.BOUND)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> version(zk, counter) == COMMANDS);
        Stat stat = new Stat();
        assertThat(ZooKeeperSinkConnectorIT.text(zk.getData().storingStatIn(stat).forPath(counter)))
            .isEqualTo(String.valueOf(COMMANDS));
        await().atMost(SinkFixture.BOUND).until(() -> sink.committed("sink") == COMMANDS + 1);
        List<JsonNode> outcomes = sink.outcomes();
        assertThat(outcomes)
            .extracting(o -> o.get("outcome").asText())
            .doesNotContain("conflict", "rejected");
        assertThat(outcomes)
            .filteredOn(o -> o.get("outcome").asText().equals("applied"))
            .extracting(o -> o.get("offset").asLong())
            .doesNotHaveDuplicates();
        assertThat(outcomes)
            .filteredOn(o -> o.get("offset").asLong() >= mark)
            .extracting(o -> o.get("outcome").asText())
            .containsOnly("applied");
      }
    }
  }

  @Test
  void inAClusterOfTwoWorkersOneKilledMidStreamTheOtherGoesOnAndNothingIsAppliedTwice(
      TestCluster cluster) throws Exception {
    String app = cluster.chroot() + "/app2";
    String counter = app + "/counter";
    String group = cluster.topic("connect2");
    try (CuratorFramework zk = ZooKeeperSinkConnectorIT.client(cluster);
        SinkFixture sink = new SinkFixture(cluster, app)) {
      Map<String, String> config = sink.config(ZooKeeperSinkConnector.class.getName());
      config.put("consumer.override.session.timeout.ms", "6000");
      config.put("consumer.override.heartbeat.interval.ms", "1000");
      List<String> args = new ArrayList<>(List.of(cluster.bootstrapServers(), group, "sink"));
      config.forEach((k, v) -> args.add(k + "=" + v));
      try (ChildJvm first = ChildJvm.start(DistributedWorkerMain.class, args, JVM)) {
        // the first creates the connector (as the group's leader), then a second joins
        awaitRunning(first);
        try (ChildJvm second =
            ChildJvm.start(
                DistributedWorkerMain.class,
                List.of(cluster.bootstrapServers(), group, "sink"),
                JVM)) {
          awaitRunning(second);
          List<String> commands = new ArrayList<>();
          commands.add(ZooKeeperSinkConnectorIT.create(counter, "0"));
          for (int i = 1; i <= COMMANDS; i++) {
            commands.add(ZooKeeperSinkConnectorIT.set(counter, String.valueOf(i), i - 1));
          }
          sink.send(commands.subList(0, 101).toArray(String[]::new));
          await()
              .atMost(SinkFixture.BOUND)
              .pollInterval(Duration.ofMillis(20))
              .until(() -> version(zk, counter) >= 50);
          first.kill(); // mid-stream, with a second worker running
          sink.send(commands.subList(101, commands.size()).toArray(String[]::new));
          await()
              .atMost(SinkFixture.BOUND.multipliedBy(2))
              .pollInterval(Duration.ofMillis(100))
              .until(() -> version(zk, counter) == COMMANDS);
          assertThat(ZooKeeperSinkConnectorIT.text(zk.getData().forPath(counter)))
              .isEqualTo(String.valueOf(COMMANDS));
          List<JsonNode> outcomes = sink.outcomes();
          assertThat(outcomes)
              .extracting(o -> o.get("outcome").asText())
              .doesNotContain("conflict", "rejected");
          assertThat(outcomes)
              .filteredOn(o -> o.get("outcome").asText().equals("applied"))
              .extracting(o -> o.get("offset").asLong())
              .doesNotHaveDuplicates();
        }
      }
    }
  }

  private static int version(CuratorFramework zk, String path) throws Exception {
    Stat stat = zk.checkExists().forPath(path);
    return stat == null ? -1 : stat.getVersion();
  }

  private static void awaitRunning(ChildJvm worker) {
    try {
      worker.awaitLine("running", START);
    } catch (RuntimeException e) {
      List<String> lines = worker.lines();
      lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
      throw e;
    }
  }
}
