package dev.pipekeeper.app.demo;

import dev.pipekeeper.embedded.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The demo's pipeline instances, each a {@code pipekeeper run} in a child JVM. */
final class Fleet implements AutoCloseable {
  private final String zookeeper;
  private final String bootstrapServers;
  private final Path zkConfig;
  private final Path kafkaConfig;
  private final String cluster;
  private final Duration sessionTimeout;
  private final Map<String, ChildJvm> instances = new LinkedHashMap<>();
  private final Map<String, String> examples = new LinkedHashMap<>();

  /**
   * @param zkConfig the instances' ZooKeeper client file ({@code --zk-config}), null for none
   * @param kafkaConfig their Kafka client file ({@code --kafka-config}), null for none; the files
   *     are passed by path, so no credential is ever an argument
   */
  Fleet(
      String zookeeper,
      String bootstrapServers,
      Path zkConfig,
      Path kafkaConfig,
      String cluster,
      Duration sessionTimeout) {
    this.zookeeper = zookeeper;
    this.bootstrapServers = bootstrapServers;
    this.zkConfig = zkConfig;
    this.kafkaConfig = kafkaConfig;
    this.cluster = cluster;
    this.sessionTimeout = sessionTimeout;
  }

  /** Starts an instance of {@code example} as member {@code id}; returns at once. */
  synchronized void start(String example, String id) {
    // name=value: a value such as "demo" must never be read as a command's name
    List<String> args = new ArrayList<>();
    args.add("--zk=" + zookeeper);
    args.add("--bootstrap-servers=" + bootstrapServers);
    args.add("--cluster=" + cluster);
    if (zkConfig != null) {
      args.add("--zk-config=" + zkConfig);
    }
    if (kafkaConfig != null) {
      args.add("--kafka-config=" + kafkaConfig);
    }
    args.addAll(
        List.of(
            "run",
            example,
            "--member=" + id,
            "--session-timeout=" + sessionTimeout.toMillis() + "ms",
            "--progress-every=0"));
    instances.put(id, ChildJvm.start(DemoChild.class, args));
    examples.put(id, example);
  }

  /** Waits until {@code id} says it runs; false if it did not within {@code timeout}. */
  boolean awaitRunning(String id, Duration timeout) {
    ChildJvm child;
    synchronized (this) {
      child = instances.get(id);
    }
    try {
      child.awaitLine(examples.get(id) + ": running as " + id, timeout);
      return true;
    } catch (RuntimeException notInTime) {
      return false;
    }
  }

  /** {@code kill -9}: no goodbye, its ZooKeeper session ends only when it expires. */
  synchronized void kill(String id) {
    instances.get(id).kill();
  }

  /** The instances of {@code example}, in the order started. */
  synchronized List<String> of(String example) {
    List<String> ids = new ArrayList<>();
    examples.forEach(
        (id, e) -> {
          if (e.equals(example)) {
            ids.add(id);
          }
        });
    return ids;
  }

  synchronized String example(String id) {
    return examples.get(id);
  }

  synchronized long alive() {
    return instances.values().stream().filter(ChildJvm::isAlive).count();
  }

  /** Stops every instance gracefully (SIGTERM, bounded), then kills what is left. */
  @Override
  public void close() {
    List<ChildJvm> all;
    synchronized (this) {
      all = new ArrayList<>(instances.values());
      instances.clear();
    }
    // all at once (each stops gracefully in its own time), bounded; a child that hangs is killed
    List<Thread> stopping = new ArrayList<>();
    for (ChildJvm child : all) {
      Thread t = new Thread(() -> child.terminate(Duration.ofSeconds(20)), "pipekeeper-demo-stop");
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    all.forEach(ChildJvm::close);
  }
}
