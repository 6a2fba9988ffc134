package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class CoordinationCommandsIT {
  private static final Duration BOUND = Duration.ofSeconds(20);

  private static Pipekeeper connect(TestCluster cluster, String identity) {
    return Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(identity)
        .build();
  }

  @Test
  void showsMembersLeadersAndLocks(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "worker-7")) {
      pk.membership().join("enricher", MemberInfo.withCapacity(3).tag("zone", "a").version("2.0"));
      pk.membership().join("plain", MemberInfo.defaults());
      Lease lease = pk.leadership("scheduler").start().awaitLease(BOUND).orElseThrow();
      try (LockHandle lock = pk.locks().mutex("tenant-42").acquire(BOUND)) {
        CliRun members = CliRun.against(cluster, "members");
        assertThat(members.exitCode).isZero();
        assertThat(members.out())
            .contains("GROUP", "MEMBER", "enricher", "worker-7", "RUNNING", "zone=a", "2.0");
        // a member that sets no version publishes Pipekeeper's own
        assertThat(members.out())
            .containsPattern("(?m)^plain +worker-7 +RUNNING +\\S+ +\\d+ +\\d+\\.\\d+\\.\\d+\\S* ")
            .doesNotContain("unknown");

        CliRun leaders = CliRun.against(cluster, "leaders");
        assertThat(leaders.exitCode).isZero();
        assertThat(leaders.out().lines().skip(1).findFirst().orElseThrow())
            .matches("scheduler\\s+worker-7\\s+" + lease.epoch() + "\\s+\\d+s\\s+1");

        CliRun locks = CliRun.against(cluster, "locks");
        assertThat(locks.exitCode).isZero();
        assertThat(locks.out()).contains("mutex", "tenant-42", "worker-7", "exclusive");
        // the token as --json and the API give it: decimal
        assertThat(locks.out())
            .containsPattern(
                "(?m)^mutex +tenant-42 +worker-7 +exclusive +"
                    + lock.fencingToken()
                    + " +\\d+s +0$")
            .doesNotContain("0x");

        JsonNode json =
            new ObjectMapper().readTree(CliRun.against(cluster, "locks", "--json").out());
        assertThat(json.get(0).path("holders").get(0).path("token").asLong())
            .isEqualTo(lock.fencingToken());
        JsonNode roles =
            new ObjectMapper().readTree(CliRun.against(cluster, "leaders", "--json").out());
        assertThat(roles.get(0).path("epoch").asLong()).isEqualTo(lease.epoch());
        JsonNode groups =
            new ObjectMapper()
                .readTree(CliRun.against(cluster, "members", "enricher", "--json").out());
        assertThat(groups.path("enricher").get(0).path("capacity").asInt()).isEqualTo(3);
      }
      assertThat(CliRun.against(cluster, "locks").out()).contains("No locks held.");
      assertThat(CliRun.against(cluster, "members", "nobody").out())
          .contains("No live members in group nobody.");
    }
  }

  @Test
  void badInputAndAnUnreachableZooKeeperAreReportedClearly(TestCluster cluster) {
    CliRun badGroup = CliRun.against(cluster, "members", "no/such");
    assertThat(badGroup.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(badGroup.err()).contains("group name 'no/such' is not valid");

    String zk = "127.0.0.1:" + CliTest.freePort();
    for (String command : new String[] {"members", "leaders", "locks"}) {
      CliRun run = CliRun.run(command, "--zk", zk, "--connect-timeout", "500ms");
      assertThat(run.exitCode).as(command).isEqualTo(ExitCodes.FAILED);
      assertThat(run.err().strip())
          .as(command)
          .isEqualTo("pipekeeper: ZooKeeper not reachable at " + zk + ": connection refused");
    }
  }

  @Test
  void aRefusedConnectionIsReportedAtOnceNotAfterTheConnectTimeout() throws Exception {
    String zk = "127.0.0.1:" + CliTest.freePort();
    for (String command : new String[] {"members", "health", "config list"}) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.addAll(List.of("--zk", zk)); // the default connect timeout: 5 s
      long start = System.nanoTime();
      CliRun run = CliRun.run(args.toArray(String[]::new));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(run.exitCode).as(command).isEqualTo(ExitCodes.FAILED);
      assertThat(run.err().strip())
          .as(command)
          .isEqualTo("pipekeeper: ZooKeeper not reachable at " + zk + ": connection refused");
      assertThat(took).as(command).isLessThan(Duration.ofSeconds(1));
    }
    // several servers: reported at once only when every one of them refuses
    String two = zk + ",127.0.0.1:" + CliTest.freePort();
    CliRun run = CliRun.run("members", "--zk", two);
    assertThat(run.err())
        .startsWith("pipekeeper: ZooKeeper not reachable at " + two + ": connection refused (");
  }

  @Test
  void aMissingChrootIsReportedByReadsAndCreatedByWrites(TestCluster cluster) {
    String zk = cluster.zkConnectWithChroot();
    for (String command : new String[] {"members", "leaders", "locks", "config list"}) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.addAll(List.of("--zk", zk, "--cluster", cluster.cluster()));
      CliRun read = CliRun.run(args.toArray(String[]::new));
      assertThat(read.exitCode).as(command).isEqualTo(ExitCodes.FAILED);
      assertThat(read.err().strip())
          .as(command)
          .isEqualTo(
              "pipekeeper: chroot "
                  + cluster.chroot()
                  + " does not exist on ZooKeeper; nothing is stored there");
    }
    CliRun write =
        CliRun.run("config", "set", "k", "1", "--zk", zk, "--cluster", cluster.cluster());
    assertThat(write.exitCode).as(write.err()).isZero();
    CliRun read = CliRun.run("config", "get", "k", "--zk", zk, "--cluster", cluster.cluster());
    assertThat(read.exitCode).as(read.err()).isZero();
    assertThat(read.out()).contains("1");
    assertThat(CliRun.run("members", "--zk", zk, "--cluster", cluster.cluster()).exitCode).isZero();
  }
}
