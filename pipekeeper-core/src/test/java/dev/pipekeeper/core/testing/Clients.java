package dev.pipekeeper.core.testing;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;

/** Pipekeeper connections for tests. */
public final class Clients {
  private Clients() {}

  /** A connection to the test's own cluster with a short session (2 s) for quick failover. */
  public static Pipekeeper connect(TestCluster cluster, String identity) {
    return connect(cluster.zkConnect(), cluster.cluster(), identity, Duration.ofSeconds(2));
  }

  public static Pipekeeper connect(
      String connectString, String cluster, String identity, Duration sessionTimeout) {
    return Pipekeeper.builder()
        .zookeeper(connectString)
        .cluster(cluster)
        .identity(identity)
        .sessionTimeout(sessionTimeout)
        .connectionTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** Live threads whose name starts with {@code prefix}. */
  public static long threadsNamed(String prefix) {
    return threadNames(prefix).size();
  }

  /** Names of the live threads whose name starts with {@code prefix}. */
  public static java.util.List<String> threadNames(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(prefix))
        .sorted()
        .toList();
  }
}
