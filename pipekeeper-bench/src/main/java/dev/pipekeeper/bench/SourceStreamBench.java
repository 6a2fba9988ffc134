package dev.pipekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.connect.source.ZooKeeperSourceConfig;
import dev.pipekeeper.connect.source.ZooKeeperSourceConnector;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.zookeeper.Watcher;

/**
 * P6, ZooKeeper to Kafka: the source connector ({@code ZooKeeperSourceConnector}, in a standalone
 * Connect worker in this JVM) streaming a subtree that writers change as fast as ZooKeeper accepts.
 *
 * <ul>
 *   <li><b>Throughput.</b> Baseline: {@code writers} Curator clients doing async {@code setData} on
 *       {@code nodes} nodes, {@code window} in flight each, for {@code seconds}: the changes per
 *       second ZooKeeper accepts. A second baseline: the same load with a bare persistent recursive
 *       watch on the subtree (what any watcher costs the server). Then the same load with the
 *       connector streaming the subtree: the changes per second end to end (every change written,
 *       from the first write until the topic holds each node's last version), and whether any
 *       node's last version is missing (none lost). The connector reads a node once for all the
 *       events that came while a read was due, so the topic holds fewer records than changes; each
 *       record says how many versions it skipped.
 *   <li><b>Latency.</b> One writer, {@code latencyChanges} changes one at a time: change to record
 *       in the topic, against the same change seen by a raw persistent recursive watch (Curator's
 *       {@code PersistentWatcher}), in the same run.
 * </ul>
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.SourceStreamBench -Dbench.args="seconds=10 writers=4"}.
 */
public final class SourceStreamBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROOT = "/bench/stream";

  private SourceStreamBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int seconds = settings.integer("seconds", 10, 1);
    int writers = settings.integer("writers", 4, 1);
    int nodes = settings.integer("nodes", 100, 1);
    int window = settings.integer("window", 100, 1);
    int latencyChanges = settings.integer("latencyChanges", 200, 10);
    Path dir = Files.createTempDirectory("pipekeeper-source-bench-");
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings);
        EmbeddedKafka kafka =
            EmbeddedKafka.builder()
                .launch(Launch.CHILD_PROCESS)
                .childJvmOptions(List.of("-Xmx1g", "-XX:+UseSerialGC"))
                .build()
                .start();
        CuratorFramework setup = client(zk.connectString())) {
      settings.checkNoneUnknown();
      StringBuilder report =
          new StringBuilder(Environment.header("SourceStreamBench (P6)", settings));
      for (int i = 0; i < nodes; i++) {
        setup.create().creatingParentsIfNeeded().forPath(ROOT + "/n" + i, new byte[8]);
      }
      Load raw = write(zk.connectString(), writers, nodes, window, seconds);
      // the cost of being watched at all: the same load with a bare persistent recursive watch
      Load watched;
      try (CuratorFramework watcherClient = client(zk.connectString());
          PersistentWatcher watch = new PersistentWatcher(watcherClient, ROOT, true)) {
        AtomicLong events = new AtomicLong();
        watch.getListenable().addListener(event -> events.incrementAndGet());
        watch.start();
        watched = write(zk.connectString(), writers, nodes, window, seconds);
      }

      Connect<StandaloneHerder> worker =
          ConnectWorkers.standalone(kafka.bootstrapServers(), dir.resolve("offsets"));
      TopicReader topic = new TopicReader(kafka.bootstrapServers(), "bench-stream");
      try {
        ConnectWorkers.put(worker, "stream", connector(zk.connectString(), "bench-stream"));
        topic.awaitAll(nodes, setup, Duration.ofMinutes(2)); // the snapshot is in
        long snapshot = topic.count();
        long start = System.nanoTime();
        Load streamed = write(zk.connectString(), writers, nodes, window, seconds);
        boolean complete = topic.awaitAll(nodes, setup, Duration.ofMinutes(5));
        double endToEndSeconds = (System.nanoTime() - start) / 1e9;
        long streamedRecords = topic.count() - snapshot;
        double endToEnd = streamed.changes / endToEndSeconds;

        Latencies latency = latency(setup, topic, latencyChanges);
        report.append(
            String.format(
                "| measure | value |%n| --- | --- |%n"
                    + "| raw async setData, %d writers x %d in flight, %d nodes, %d s"
                    + " | %.0f changes/s |%n"
                    + "| same load, a bare PersistentWatcher on the subtree | %.0f changes/s"
                    + " (%.3fx) |%n"
                    + "| same load, streamed: ZooKeeper accepted | %.0f changes/s |%n"
                    + "| streamed end to end (all %d changes in the topic) | %.0f changes/s,"
                    + " %.2f s |%n"
                    + "| **end to end / raw** | **%.3fx** |%n"
                    + "| end to end / bare watch | %.3fx |%n"
                    + "| records in the topic for those changes (coalesced) | %d (%.1f%%) |%n"
                    + "| every node's last version in the topic (none lost) | %s |%n"
                    + "| change -> record p50 / p99 (%d changes, one at a time) | %.2f / %.2f ms |%n"
                    + "| change -> raw PersistentWatcher event p50 / p99 | %.2f / %.2f ms |%n"
                    + "| **record p99 / watch p99** | **%.2fx** |%n",
                writers,
                window,
                nodes,
                seconds,
                raw.rate(),
                watched.rate(),
                watched.rate() / raw.rate(),
                streamed.rate(),
                streamed.changes,
                endToEnd,
                endToEndSeconds,
                endToEnd / raw.rate(),
                endToEnd / watched.rate(),
                streamedRecords,
                100.0 * streamedRecords / streamed.changes,
                complete ? "yes" : "NO",
                latencyChanges,
                latency.record.percentile(50),
                latency.record.percentile(99),
                latency.watch.percentile(50),
                latency.watch.percentile(99),
                latency.record.percentile(99) / latency.watch.percentile(99)));
      } finally {
        topic.close();
        worker.stop();
        worker.awaitStop();
      }
      System.out.println(report);
    }
  }

  private record Load(long changes, double seconds) {
    double rate() {
      return changes / seconds;
    }
  }

  /** {@code writers} clients, each keeping {@code window} async setData in flight. */
  private static Load write(String connect, int writers, int nodes, int window, int seconds)
      throws Exception {
    List<CuratorFramework> clients = new ArrayList<>();
    AtomicLong done = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      CuratorFramework client = client(connect);
      clients.add(client);
      int first = w;
      Thread thread =
          new Thread(
              () -> {
                Semaphore inFlight = new Semaphore(window);
                long i = first;
                try {
                  while (!stop.get()) {
                    inFlight.acquire();
                    String path = ROOT + "/n" + (i++ % nodes);
                    client
                        .setData()
                        .inBackground(
                            (c, event) -> {
                              if (event.getResultCode() == 0) {
                                done.incrementAndGet();
                              }
                              inFlight.release();
                            })
                        .forPath(path, Long.toString(i).getBytes());
                  }
                  inFlight.acquire(window); // every write answered
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "writer-" + w);
      threads.add(thread);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(seconds * 1000L); // the measured window: the writers run meanwhile
    stop.set(true);
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    clients.forEach(CuratorFramework::close);
    return new Load(done.get(), elapsed);
  }

  private record Latencies(Stats record, Stats watch) {}

  /** One change at a time: when the topic and a raw persistent watch each saw it. */
  private static Latencies latency(CuratorFramework zk, TopicReader topic, int changes)
      throws Exception {
    Map<String, Long> watched = new ConcurrentHashMap<>();
    Stats record = new Stats();
    Stats watch = new Stats();
    String path = ROOT + "/n0";
    try (PersistentWatcher watcher = new PersistentWatcher(zk, ROOT, true)) {
      watcher
          .getListenable()
          .addListener(
              event -> {
                if (event.getType() == Watcher.Event.EventType.NodeDataChanged
                    && path.equals(event.getPath())) {
                  watched.put("last", System.nanoTime());
                }
              });
      watcher.start();
      for (int i = 0; i < changes; i++) {
        watched.remove("last");
        int version = zk.checkExists().forPath(path).getVersion() + 1;
        long start = System.nanoTime();
        zk.setData().forPath(path, Integer.toString(i).getBytes());
        long seen = topic.awaitVersion(path, version, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!watched.containsKey("last") && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        record.add((seen - start) / 1e6);
        watch.add((watched.getOrDefault("last", deadline) - start) / 1e6);
      }
    }
    return new Latencies(record, watch);
  }

  /** Reads the topic as it grows: each path's last version and when it arrived. */
  private static final class TopicReader implements AutoCloseable {
    private final Map<String, long[]> last = new ConcurrentHashMap<>(); // version, arrival nanos
    private final AtomicLong records = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;

    TopicReader(String bootstrap, String topic) {
      Map<String, Object> config = new HashMap<>();
      config.put("bootstrap.servers", bootstrap);
      config.put("key.deserializer", StringDeserializer.class.getName());
      config.put("value.deserializer", StringDeserializer.class.getName());
      config.put("group.id", "bench-reader");
      config.put("auto.offset.reset", "earliest");
      config.put("metadata.max.age.ms", "500");
      KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config);
      consumer.subscribe(java.util.regex.Pattern.compile(topic));
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (!closed.get()) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                      if (r.value() == null) {
                        continue;
                      }
                      long now = System.nanoTime();
                      JsonNode value = JSON.readTree(r.value());
                      records.incrementAndGet();
                      last.put(r.key(), new long[] {value.path("version").asLong(), now});
                    }
                  }
                } catch (Exception e) {
                  if (!closed.get()) {
                    throw new IllegalStateException(e);
                  }
                }
              },
              "topic-reader");
      thread.setDaemon(true);
      thread.start();
    }

    /** Waits until every node holds in the topic the version ZooKeeper has. */
    boolean awaitAll(int nodes, CuratorFramework zk, Duration bound) throws Exception {
      Map<String, Integer> expected = new HashMap<>();
      for (int i = 0; i < nodes; i++) {
        expected.put(ROOT + "/n" + i, zk.checkExists().forPath(ROOT + "/n" + i).getVersion());
      }
      long deadline = System.nanoTime() + bound.toNanos();
      while (System.nanoTime() < deadline) {
        boolean all =
            expected.entrySet().stream()
                .allMatch(
                    e -> last.containsKey(e.getKey()) && last.get(e.getKey())[0] >= e.getValue());
        if (all) {
          return true;
        }
        Thread.sleep(5); // a harness poll of its own reader
      }
      return false;
    }

    long awaitVersion(String path, int version, Duration bound) throws InterruptedException {
      long deadline = System.nanoTime() + bound.toNanos();
      while (System.nanoTime() < deadline) {
        long[] seen = last.get(path);
        if (seen != null && seen[0] >= version) {
          return seen[1];
        }
        Thread.onSpinWait();
      }
      throw new IllegalStateException(path + " version " + version + " never reached the topic");
    }

    /** The records read so far. */
    long count() {
      return records.get();
    }

    @Override
    public void close() {
      closed.set(true);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Map<String, String> connector(String zk, String topic) {
    Map<String, String> config = new HashMap<>();
    config.put("name", "stream");
    config.put("connector.class", ZooKeeperSourceConnector.class.getName());
    config.put("tasks.max", "1");
    config.put(ZooKeeperSourceConfig.ZOOKEEPER_CONNECT_CONFIG, zk);
    config.put(ZooKeeperSourceConfig.SUBTREES_CONFIG, ROOT);
    config.put(ZooKeeperSourceConfig.TOPIC_CONFIG, topic);
    config.put(ZooKeeperSourceConfig.VALUE_FORMAT_CONFIG, "string");
    return config;
  }

  static CuratorFramework client(String connect) {
    CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
    client.start();
    return client;
  }
}
