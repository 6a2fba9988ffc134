package dev.pipekeeper.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.ZooKeeperQuorum;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The known traps of ZooKeeper clients ({@link Trap}), each provoked a few times against the shared
 * three-server ensemble, from a printed seed ({@code -Dfaults.seed=N} replays one; {@code
 * -Dfaults.rounds=N} runs more rounds). The long runs are {@code FaultSuite --scenario trap-...}
 * (docs/reliability.md, "Known traps").
 */
@ExtendWith(EmbeddedClusterExtension.class)
@ZooKeeperQuorum
class KnownTrapsIT {
  @TempDir Path dir;

  @Test
  void curator696ALatchDoesNotReclaimLeadershipWithItsExpiredNode(TestCluster cluster) {
    provoke(Trap.CURATOR_696, 2, cluster, "granted");
  }

  @Test
  void curator653NoDoubleLeaderWhileTheEnsembleSwitchesItsLeader(TestCluster cluster) {
    provoke(Trap.CURATOR_653, 2, cluster, "ZooKeeper leader stopped");
  }

  @Test
  void curator620TwoQuickReconnectsGiveOneLeaderAndAGreaterEpoch(TestCluster cluster) {
    provoke(Trap.CURATOR_620, 2, cluster, "double reconnects");
  }

  @Test
  void curator604AMutexIsNotHeldTwiceAfterTheHoldersSessionExpires(TestCluster cluster) {
    provoke(Trap.CURATOR_604, 2, cluster, "store_refused", "locked");
  }

  @Test
  void curator498AProtectedCreateDoesNotTakeAClosingSessionsNode(TestCluster cluster) {
    provoke(Trap.CURATOR_498, 2, cluster, "lock creates cut", "latch creates cut");
  }

  @Test
  void viewsConvergeAfterACreateAndADeleteMissedWhileDisconnected(TestCluster cluster) {
    provoke(Trap.MISSED_WATCHES, 2, cluster, "members kept");
  }

  private void provoke(Trap trap, int rounds, TestCluster cluster, String... provoked) {
    long seed = Seeds.seed("faults.seed", "KnownTrapsIT " + trap.scenario());
    int n = Integer.getInteger("faults.rounds", rounds);
    Trap.Result result =
        trap.run(
            new Trap.Settings(
                seed, n, Duration.ofSeconds(2), TestTimeouts.scaled(Duration.ofSeconds(20)), dir),
            cluster.zookeeper(),
            cluster.cluster());
    System.out.println("KnownTrapsIT " + trap.scenario() + ": " + result.report().counts());
    assertThat(result.report().violations()).as("%s, seed %d", trap.scenario(), seed).isEmpty();
    assertThat(result.skippedLines()).isEmpty();
    assertThat(result.report().counts()).as("the trap was provoked").containsKeys(provoked);
  }
}
