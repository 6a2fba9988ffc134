package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class PipekeeperIT {

  @Test
  void connectsUnderTheClusterRootAndReportsTheNegotiatedTimeout(TestCluster cluster)
      throws Exception {
    try (Pipekeeper pk =
        Clients.connect(cluster.zkConnect(), cluster.cluster(), "me-1", Duration.ofMillis(3500))) {
      assertThat(pk.cluster()).isEqualTo(cluster.cluster());
      assertThat(pk.identity()).isEqualTo("me-1");
      assertThat(pk.negotiatedSessionTimeout()).isEqualTo(Duration.ofMillis(3500));
      assertThat(pk.connectionState()).isEqualTo(ConnectionState.CONNECTED);
      pk.membership().join("g", dev.pipekeeper.core.membership.MemberInfo.defaults()).close();
    }
    try (CuratorFramework raw =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      assertThat(raw.checkExists().forPath(ZkLayout.root(cluster.cluster()) + "/members/g"))
          .isNotNull();
    }
  }

  @Test
  void theServerClampsTheSessionTimeout(TestCluster cluster) {
    try (Pipekeeper pk =
        Clients.connect(cluster.zkConnect(), cluster.cluster(), "me", Duration.ofMinutes(10))) {
      assertThat(pk.negotiatedSessionTimeout()).isEqualTo(Duration.ofSeconds(60));
    }
  }

  @Test
  void anUnreachableEnsembleFailsWithinTheConnectionTimeout() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      port = socket.getLocalPort();
    }
    long start = System.nanoTime();
    int unreachablePort = port;
    assertThatThrownBy(
            () ->
                Pipekeeper.builder()
                    .zookeeper("127.0.0.1:" + unreachablePort)
                    .connectionTimeout(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(UnreachableException.class)
        .hasMessage(
            "ZooKeeper not reachable at 127.0.0.1:" + port + ": no connection within 1000 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(Clients.threadsNamed("pipekeeper-connection")).isZero();
  }

  @Test
  void badSettingsAreRefusedBeforeConnecting() {
    assertThatThrownBy(() -> Pipekeeper.builder().build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("connect string is required");
    assertThatThrownBy(() -> Pipekeeper.builder().zookeeper("zk:1").cluster("a/b").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cluster name 'a/b' is not valid");
    assertThatThrownBy(() -> Pipekeeper.builder().zookeeper("zk:x").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not a number");
  }

  @Test
  void withCredentialsNodesAreNotWorldWritable(TestCluster cluster) throws Exception {
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(cluster.zkConnect())
            .cluster(cluster.cluster())
            .authorization("digest", "ops:secret".getBytes(StandardCharsets.UTF_8))
            .build()) {
      pk.membership().join("secured", dev.pipekeeper.core.membership.MemberInfo.defaults());
      String path = ZkLayout.root(cluster.cluster()) + ZkLayout.member("secured", pk.identity());
      try (CuratorFramework raw =
          CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
        raw.start();
        assertThatThrownBy(() -> raw.getData().forPath(path))
            .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> raw.setData().forPath(path, new byte[] {1}))
            .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
      }
      try (CuratorFramework authorized =
          CuratorFrameworkFactory.builder()
              .connectString(cluster.zkConnect())
              .retryPolicy(new RetryOneTime(100))
              .authorization("digest", "ops:secret".getBytes(StandardCharsets.UTF_8))
              .build()) {
        authorized.start();
        assertThat(authorized.checkExists().forPath(path)).isNotNull();
        List<ACL> acl = authorized.getACL().forPath(path);
        assertThat(acl).hasSize(1);
        assertThat(acl.get(0).getId().getScheme()).isEqualTo("digest");
        assertThat(acl.get(0).getPerms()).isEqualTo(ZooDefs.Perms.ALL);
      }
    }
  }
}
