package dev.pipekeeper.embedded.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class EmbeddedClusterExtensionIT {
  private static final Set<String> CONNECT_STRINGS = ConcurrentHashMap.newKeySet();
  private static final Set<String> NAMES = ConcurrentHashMap.newKeySet();

  @Test
  void firstTestGetsItsOwnChroot(TestCluster cluster) throws Exception {
    checkFreshChroot(cluster);
  }

  @Test
  void secondTestGetsAnotherChrootOnTheSameServer(TestCluster cluster) throws Exception {
    checkFreshChroot(cluster);
  }

  @Test
  void namesAreValidAndTopicsBelongToTheTest(TestCluster cluster) {
    assertThat(cluster.cluster()).matches("[a-z0-9-]+");
    assertThat(cluster.chroot()).endsWith("/" + cluster.cluster());
    assertThat(cluster.topic("in")).isEqualTo(cluster.cluster() + "-in");
    assertThat(cluster.cluster()).startsWith("embeddedclusterextensionit-namesarevalid");
  }

  private static void checkFreshChroot(TestCluster cluster) throws Exception {
    CONNECT_STRINGS.add(cluster.zkConnect());
    assertThat(CONNECT_STRINGS).as("one shared server per JVM").hasSize(1);
    assertThat(NAMES.add(cluster.cluster())).as("names are unique").isTrue();
    try (CuratorFramework root =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      root.start();
      assertThat(root.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
      assertThat(root.checkExists().forPath(cluster.chroot())).as("a fresh chroot").isNull();
      root.create().creatingParentsIfNeeded().forPath(cluster.chroot());
    }
    try (CuratorFramework client =
        CuratorFrameworkFactory.newClient(cluster.zkConnectWithChroot(), new RetryOneTime(100))) {
      client.start();
      client.create().forPath("/mine", "x".getBytes(UTF_8));
      assertThat(client.getData().forPath("/mine")).isEqualTo("x".getBytes(UTF_8));
    }
  }
}
