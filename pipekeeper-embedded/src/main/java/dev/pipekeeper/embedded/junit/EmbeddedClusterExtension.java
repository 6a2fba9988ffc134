package dev.pipekeeper.embedded.junit;

import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.ZooKeeperNode;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that shares one real ZooKeeper (a single server, or a 3-server quorum for
 * classes annotated {@link ZooKeeperQuorum}) and one real Kafka broker among all tests of a JVM,
 * and gives each test a {@link TestCluster} with names of its own. A server that a test stopped is
 * started again after the test.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedClusterExtension.class)
 * class MyIT {
 *   @Test
 *   void works(TestCluster cluster) {
 *     String zookeeper = cluster.zkConnectWithChroot(); // a chroot of this test's own
 *     String kafka = cluster.bootstrapServers();
 *     String in = cluster.topic("in"); // a topic name of this test's own
 *   }
 * }
 * }</pre>
 *
 * <p>The servers start on first use (Kafka only if a test asks for it) and stop when the JVM's test
 * run ends.
 */
public final class EmbeddedClusterExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedClusterExtension.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final int MAX_NAME_PART = 40;

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestCluster.class;
  }

  @Override
  public TestCluster resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    EmbeddedZooKeeper zookeeper = zookeeper(store, isQuorum(context));
    return new TestCluster(zookeeper, () -> kafka(store), uniqueName(context));
  }

  /** Starts again any server a test stopped, so the next test gets a whole ensemble. */
  @Override
  public void afterEach(ExtensionContext context) {
    Shared shared = context.getRoot().getStore(NAMESPACE).get(key(isQuorum(context)), Shared.class);
    if (shared != null) {
      for (ZooKeeperNode node : shared.zookeeper.servers()) {
        if (!node.isRunning()) {
          node.start();
        }
      }
    }
  }

  private static boolean isQuorum(ExtensionContext context) {
    return context
        .getTestClass()
        .map(type -> type.isAnnotationPresent(ZooKeeperQuorum.class))
        .orElse(false);
  }

  private static String key(boolean quorum) {
    return quorum ? "zookeeper-quorum" : "zookeeper-single";
  }

  private static EmbeddedZooKeeper zookeeper(ExtensionContext.Store store, boolean quorum) {
    return store.getOrComputeIfAbsent(
            key(quorum),
            k -> new Shared(EmbeddedZooKeeper.builder().servers(quorum ? 3 : 1).build().start()),
            Shared.class)
        .zookeeper;
  }

  private static EmbeddedKafka kafka(ExtensionContext.Store store) {
    return store.getOrComputeIfAbsent(
            "kafka",
            k -> new SharedKafka(EmbeddedKafka.builder().build().start()),
            SharedKafka.class)
        .kafka;
  }

  static String uniqueName(ExtensionContext context) {
    String raw =
        context.getTestClass().map(Class::getSimpleName).orElse("test")
            + "-"
            + context.getTestMethod().map(m -> m.getName()).orElse("all");
    String clean = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "");
    if (clean.length() > MAX_NAME_PART) {
      clean = clean.substring(0, MAX_NAME_PART);
    }
    return clean + "-" + SEQUENCE.incrementAndGet();
  }

  /** Closed by JUnit when the root context closes, at the end of the JVM's test run. */
  private static final class Shared implements AutoCloseable {
    final EmbeddedZooKeeper zookeeper;

    Shared(EmbeddedZooKeeper zookeeper) {
      this.zookeeper = zookeeper;
    }

    @Override
    public void close() {
      zookeeper.close();
    }
  }

  private static final class SharedKafka implements AutoCloseable {
    final EmbeddedKafka kafka;

    SharedKafka(EmbeddedKafka kafka) {
      this.kafka = kafka;
    }

    @Override
    public void close() {
      kafka.close();
    }
  }
}
