package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.internal.ZkLayout;
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

  @Test
  void aMissingChrootIsCreatedWithTheClustersAcls(TestCluster cluster) throws Exception {
    byte[] credentials = "ops:secret".getBytes(StandardCharsets.UTF_8);
    String parent = cluster.chroot().substring(0, cluster.chroot().lastIndexOf('/'));
    try (CuratorFramework raw =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      // the parent is shared by every test: it must stay open to them
      if (raw.checkExists().forPath(parent) == null) {
        raw.create().forPath(parent);
      }
    } catch (org.apache.zookeeper.KeeperException.NodeExistsException createdMeanwhile) {
      // as good
    }
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(cluster.zkConnectWithChroot())
            .cluster(cluster.cluster())
            .authorization("digest", credentials)
            .build()) {
      pk.config()
          .set(
              dev.pipekeeper.core.config.Scope.global(),
              "k",
              com.fasterxml.jackson.databind.node.IntNode.valueOf(1),
              dev.pipekeeper.core.config.ChangeOptions.by("test"));
      assertThat(pk.config().get(dev.pipekeeper.core.config.Scope.global(), "k")).isPresent();
    }
    try (CuratorFramework authorized =
        CuratorFrameworkFactory.builder()
            .connectString(cluster.zkConnect())
            .retryPolicy(new RetryOneTime(100))
            .authorization("digest", credentials)
            .build()) {
      authorized.start();
      String clusterRoot = cluster.chroot() + ZkLayout.root(cluster.cluster());
      assertThat(authorized.checkExists().forPath(clusterRoot)).isNotNull();
      assertThat(authorized.getACL().forPath(cluster.chroot()))
          .as("the chroot gets the ACLs of the cluster's nodes")
          .isEqualTo(authorized.getACL().forPath(clusterRoot))
          .allMatch(acl -> acl.getId().getScheme().equals("digest"));
    }
  }

  @Test
  void aConnectionThatMustNotCreateTheChrootRefusesAMissingOneInOneLine(TestCluster cluster)
      throws Exception {
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                Pipekeeper.builder()
                    .zookeeper(cluster.zkConnectWithChroot())
                    .cluster(cluster.cluster())
                    .createChroot(false)
                    .build())
        .isExactlyInstanceOf(PipekeeperException.class)
        .hasMessage(
            "chroot " + cluster.chroot() + " does not exist on ZooKeeper; nothing is stored there");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(Clients.threadsNamed("pipekeeper-connection")).isZero();
    try (CuratorFramework raw =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      assertThat(raw.checkExists().forPath(cluster.chroot())).as("nothing created").isNull();
      raw.create().creatingParentsIfNeeded().forPath(cluster.chroot());
    }
    // once it exists, such a connection works in it
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(cluster.zkConnectWithChroot())
            .cluster(cluster.cluster())
            .createChroot(false)
            .build()) {
      assertThat(pk.membership().members("g")).isEmpty();
    }
  }
}
