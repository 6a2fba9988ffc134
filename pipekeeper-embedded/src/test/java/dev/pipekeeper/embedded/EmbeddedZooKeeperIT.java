package dev.pipekeeper.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.embedded.internal.FreePorts;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @Test
  void singleServerServesAndReleasesEverythingOnClose() throws Exception {
    Set<Long> before = Leaks.threadIds();
    EmbeddedZooKeeper zk = EmbeddedZooKeeper.builder().build().start();
    Path dataDir = zk.dataDir();
    int port = zk.server(1).clientPort();

    assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + port);
    assertThat(Clients.createAndRead(zk.connectString(), "/a/b", "hello".getBytes(UTF_8)))
        .isEqualTo("hello".getBytes(UTF_8));
    assertThat(srvr(port)).contains("Mode: standalone").contains("Zookeeper version: 3.9");

    zk.close();
    zk.close(); // twice is fine

    assertThat(FreePorts.isFree(port)).isTrue();
    assertThat(dataDir).doesNotExist();
    await().atMost(BOUND).untilAsserted(() -> assertThat(Leaks.newThreads(before)).isEmpty());
  }

  @Test
  void keepsDataInAGivenFolderAcrossRestarts(@TempDir Path dir) throws Exception {
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.builder().dataDir(dir).build().start()) {
      Clients.createAndRead(zk.connectString(), "/kept", "v1".getBytes(UTF_8));
      zk.server(1).stop();
      assertThat(zk.server(1).isRunning()).isFalse();
      zk.server(1).start();
      try (CuratorFramework client = Clients.curator(zk.connectString())) {
        assertThat(client.getData().forPath("/kept")).isEqualTo("v1".getBytes(UTF_8));
      }
    }
    assertThat(Files.exists(dir)).as("a given folder is not deleted").isTrue();
  }

  @Test
  void quorumKeepsServingWithOneServerStopped() throws Exception {
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.builder().servers(3).build().start()) {
      assertThat(zk.serverCount()).isEqualTo(3);
      assertThat(zk.connectString().split(",")).hasSize(3);
      long leaders =
          zk.servers().stream().filter(n -> srvr(n.clientPort()).contains("Mode: leader")).count();
      assertThat(leaders).isEqualTo(1);

      try (CuratorFramework client = Clients.curator(zk.connectString())) {
        assertThat(client.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        client.create().forPath("/before", "1".getBytes(UTF_8));

        ZooKeeperNode leader =
            zk.servers().stream()
                .filter(n -> srvr(n.clientPort()).contains("Mode: leader"))
                .findFirst()
                .orElseThrow();
        leader.stop();

        await()
            .atMost(BOUND)
            .ignoreExceptions()
            .untilAsserted(
                () -> {
                  client.create().orSetData().forPath("/after", "2".getBytes(UTF_8));
                  assertThat(client.getData().forPath("/before")).isEqualTo("1".getBytes(UTF_8));
                });

        leader.start();
        assertThat(srvr(leader.clientPort())).containsPattern("Mode: (leader|follower)");
      }
    }
  }

  @Test
  void refusesAnEvenNumberOfServers() {
    assertThatThrownBy(() -> EmbeddedZooKeeper.builder().servers(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("odd");
  }

  @Test
  void aPortInUseIsRefusedAndLeavesNoTemporaryFolder() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      int port = taken.getLocalPort();
      EmbeddedZooKeeper second = EmbeddedZooKeeper.builder().clientPort(port).build();
      Path dataDir = second.dataDir();
      assertThat(dataDir).exists();
      assertThatThrownBy(second::start)
          .isInstanceOf(EmbeddedServerException.class)
          .hasMessageContaining("port " + port + " is already in use");
      assertThat(dataDir).doesNotExist();
    }
  }

  @Test
  void cannotStartTwice() {
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.builder().build().start()) {
      assertThatThrownBy(zk::start).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void childProcessServerCanBePausedResumedAndKilled() throws Exception {
    try (EmbeddedZooKeeper zk =
        EmbeddedZooKeeper.builder().launch(Launch.CHILD_PROCESS).build().start()) {
      ZooKeeperNode node = zk.server(1);
      ChildProcess child = node.childProcess().orElseThrow();
      assertThat(child.pid()).isNotEqualTo(ProcessHandle.current().pid());
      assertThat(Clients.createAndRead(zk.connectString(), "/child", new byte[] {7}))
          .containsExactly(7);

      child.pause();
      assertThatThrownBy(() -> srvrOrThrow(node.clientPort())).isNotNull();
      child.resume();
      await()
          .atMost(BOUND)
          .ignoreExceptions()
          .until(() -> srvrOrThrow(node.clientPort()).contains("Mode:"));

      child.kill();
      assertThat(child.isAlive()).isFalse();
      await().atMost(BOUND).until(() -> FreePorts.isFree(node.clientPort()));

      node.start(); // a killed server comes back on the same port and data
      try (CuratorFramework client = Clients.curator(zk.connectString())) {
        assertThat(client.getData().forPath("/child")).containsExactly(7);
      }
    }
  }

  static String srvr(int port) {
    try {
      return srvrOrThrow(port);
    } catch (Exception e) {
      return e.toString();
    }
  }

  static String srvrOrThrow(int port) throws Exception {
    return FourLetterWordMain.send4LetterWord("127.0.0.1", port, "srvr", false, 1000);
  }
}
