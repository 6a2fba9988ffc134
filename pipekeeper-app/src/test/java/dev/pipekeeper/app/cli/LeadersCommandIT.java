package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code pipekeeper leaders} for retired roles, and {@code pipekeeper leaders retire}. */
@ExtendWith(EmbeddedClusterExtension.class)
class LeadersCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));

  private static Pipekeeper connect(TestCluster cluster, String identity) {
    return Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(identity)
        .build();
  }

  @Test
  void aRoleRetiresOnItsLastCloseAndIsRetiredExplicitlyOnlyWithoutContenders(TestCluster cluster)
      throws Exception {
    try (Pipekeeper pk = connect(cluster, "worker-7")) {
      Leadership nightly = pk.leadership("nightly").start();
      nightly.awaitLease(BOUND).orElseThrow();

      CliRun refused = CliRun.against(cluster, "leaders", "retire", "nightly");
      assertThat(refused.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(refused.err().strip())
          .isEqualTo(
              "pipekeeper: role nightly has 1 contender (worker-7); retire it once they have"
                  + " closed, or with --force (a live contender contends again)");
      assertThat(CliRun.against(cluster, "leaders").out()).containsPattern("nightly +worker-7 +1");

      nightly.close(); // the last contender, gracefully: the role retires
      assertThat(CliRun.against(cluster, "leaders").out())
          .containsPattern("nightly +\\(retired \\d+s ago\\) +1 +- +0");
      JsonNode listed =
          new ObjectMapper().readTree(CliRun.against(cluster, "leaders", "--json").out());
      assertThat(listed.get(0).hasNonNull("retiredAt")).isTrue();

      CliRun retired = CliRun.against(cluster, "leaders", "retire", "nightly", "--json");
      assertThat(retired.exitCode).isZero();
      JsonNode json = new ObjectMapper().readTree(retired.out());
      assertThat(json.path("role").asText()).isEqualTo("nightly");
      assertThat(json.path("epoch").asLong()).isEqualTo(1);
      assertThat(json.path("explicit").asBoolean()).isTrue();
      assertThat(CliRun.against(cluster, "leaders").out()).contains("No roles.");

      CliRun gone = CliRun.against(cluster, "leaders", "retire", "nightly");
      assertThat(gone.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(gone.err().strip()).isEqualTo("pipekeeper: there is no role nightly");

      Leadership forced = pk.leadership("reports").start();
      forced.awaitLease(BOUND).orElseThrow();
      CliRun force = CliRun.against(cluster, "leaders", "retire", "reports", "--force");
      assertThat(force.exitCode).isZero();
      assertThat(force.out())
          .contains("Retired role reports at epoch 1: its nodes are removed.")
          .contains("Removed its contenders: worker-7.");
      forced.close();
    }
  }

  /** A role whose epoch node holds garbage is listed with it, beside the others, exit 0. */
  @Test
  void aRoleWithAGarbageEpochIsListedWithItsProblem(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "worker-7");
        Leadership broken = pk.leadership("broken").start();
        Leadership fine = pk.leadership("fine").start();
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      broken.awaitLease(BOUND).orElseThrow();
      fine.awaitLease(BOUND).orElseThrow();
      raw.start();
      raw.setData()
          .forPath(ZkLayout.root(cluster.cluster()) + ZkLayout.epoch("broken"), "zz".getBytes());

      CliRun listed = CliRun.against(cluster, "leaders");

      assertThat(listed.exitCode).isZero();
      assertThat(listed.out())
          .containsPattern("broken +worker-7 +\\? ")
          .containsPattern("fine +worker-7 +1 ")
          .contains("role broken: epoch node holds 'zz', not a number");
      JsonNode json =
          new ObjectMapper().readTree(CliRun.against(cluster, "leaders", "--json").out());
      assertThat(json.get(0).path("problem").asText()).contains("not a number");
      assertThat(json.get(1).path("problem").isNull()).isTrue();
    }
  }

  @Test
  void retireChecksItsInputBeforeConnecting() {
    String zk = "127.0.0.1:" + CliTest.freePort();
    CliRun bad = CliRun.run("leaders", "retire", "no/slash", "--zk", zk);
    assertThat(bad.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("role name 'no/slash' is not valid");
    assertThat(CliRun.run("leaders", "retire", "--help").exitCode).isZero();
    assertThat(CliRun.run("leaders", "retire", "--help").out()).contains("--force", "--json");
    assertThat(CliRun.run("leaders", "retire", "--zk", zk).exitCode).isEqualTo(ExitCodes.USAGE);
  }
}
