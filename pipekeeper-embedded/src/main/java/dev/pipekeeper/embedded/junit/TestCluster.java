package dev.pipekeeper.embedded.junit;

import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.util.function.Supplier;

/**
 * What one test gets from {@link EmbeddedClusterExtension}: the ZooKeeper and Kafka shared by every
 * test of this JVM, and names that belong to this test alone (a cluster name, a chroot and topic
 * names), so tests never see each other's data.
 */
public final class TestCluster {
  private final EmbeddedZooKeeper zookeeper;
  private final Supplier<EmbeddedKafka> kafka;
  private final String name;

  TestCluster(EmbeddedZooKeeper zookeeper, Supplier<EmbeddedKafka> kafka, String name) {
    this.zookeeper = zookeeper;
    this.kafka = kafka;
    this.name = name;
  }

  /** A name unique to this test in this JVM, made of {@code [a-z0-9-]}: use it as cluster name. */
  public String cluster() {
    return name;
  }

  /** The connect string of the shared ZooKeeper servers, without a chroot. */
  public String zkConnect() {
    return zookeeper.connectString();
  }

  /**
   * A ZooKeeper path that belongs to this test alone. It does not exist yet: a Curator client with
   * a namespace creates it on first use; a plain chroot client needs it created first.
   */
  public String chroot() {
    return "/pipekeeper-tests/" + name;
  }

  /** {@link #zkConnect()} with {@link #chroot()} appended. */
  public String zkConnectWithChroot() {
    return zookeeper.connectString() + chroot();
  }

  /** The shared ZooKeeper, for tests that stop or restart its servers. */
  public EmbeddedZooKeeper zookeeper() {
    return zookeeper;
  }

  /** The shared Kafka broker, started on the first call in this JVM. */
  public EmbeddedKafka kafka() {
    return kafka.get();
  }

  /** The shared Kafka broker's bootstrap servers (starts it on first use). */
  public String bootstrapServers() {
    return kafka().bootstrapServers();
  }

  /** A topic name that belongs to this test alone. */
  public String topic(String suffix) {
    return name + "-" + suffix;
  }
}
