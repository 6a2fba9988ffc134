package dev.pipekeeper.bench;

import dev.pipekeeper.connect.sink.ZooKeeperSinkConfig;
import dev.pipekeeper.connect.sink.ZooKeeperSinkConnector;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;

/**
 * Kafka to ZooKeeper: the sink connector ({@code ZooKeeperSinkConnector}, one task, in a standalone
 * Connect worker in this JVM) applying a topic of {@code commands} version-less {@code set}
 * commands spread over {@code nodes} nodes, against raw Curator {@code setData} of the same count
 * on the same nodes from one thread (the sink's one task applies one record after another), in the
 * same run. Each sink record is one ZooKeeper multi-op: the change and the partition's offset node
 * (the once-only guarantee), so it writes two nodes where the baseline writes one.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.SinkStreamBench -Dbench.args="commands=20000"}.
 */
public final class SinkStreamBench {
  private static final String ROOT = "/bench/sink";

  private SinkStreamBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int commands = settings.integer("commands", 20_000, 100);
    int nodes = settings.integer("nodes", 100, 1);
    int rounds = settings.integer("rounds", 3, 1);
    Path dir = Files.createTempDirectory("pipekeeper-sink-bench-");
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings);
        EmbeddedKafka kafka =
            EmbeddedKafka.builder()
                .launch(Launch.CHILD_PROCESS)
                .childJvmOptions(List.of("-Xmx1g", "-XX:+UseSerialGC"))
                .build()
                .start();
        CuratorFramework client = SourceStreamBench.client(zk.connectString())) {
      settings.checkNoneUnknown();
      StringBuilder report = new StringBuilder(Environment.header("SinkStreamBench", settings));
      for (int i = 0; i < nodes; i++) {
        client.create().creatingParentsIfNeeded().forPath(ROOT + "/n" + i, new byte[8]);
      }
      report.append(
          "| round | raw Curator setData, 1 thread | sink, 1 task (end to end) | sink / raw |\n"
              + "| --- | --- | --- | --- |\n");
      Stats ratios = new Stats();
      for (int round = 1; round <= rounds; round++) {
        double raw = raw(client, commands, nodes);
        double sink =
            sink(kafka.bootstrapServers(), zk.connectString(), client, dir, round, commands, nodes);
        ratios.add(sink / raw);
        report.append(
            String.format(
                "| %d | %.0f sets/s | %.0f commands/s | %.3fx |%n", round, raw, sink, sink / raw));
      }
      report.append(String.format("%nmedian sink / raw: **%.3fx**%n", ratios.percentile(50)));
      System.out.println(report);
    }
  }

  /** Sequential setData, one thread: sets per second. */
  private static double raw(CuratorFramework client, int count, int nodes) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      client.setData().forPath(ROOT + "/n" + (i % nodes), Integer.toString(i).getBytes());
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * The topic filled first, then the connector started: commands per second from its start until
   * the last command's node holds its value.
   */
  private static double sink(
      String bootstrap,
      String connect,
      CuratorFramework client,
      Path dir,
      int round,
      int count,
      int nodes)
      throws Exception {
    String topic = "bench-commands-" + round;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    String last = "last-" + round;
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrap, "linger.ms", 20, "batch.size", 262_144),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        String data = i == count - 1 ? last : Integer.toString(i);
        producer.send(
            new ProducerRecord<>(
                topic,
                null,
                "{\"op\":\"set\",\"path\":\""
                    + ROOT
                    + "/n"
                    + (i % nodes)
                    + "\",\"data\":\""
                    + data
                    + "\"}"));
      }
      producer.flush();
    }
    String lastPath = ROOT + "/n" + ((count - 1) % nodes);
    Connect<StandaloneHerder> worker =
        ConnectWorkers.standalone(bootstrap, dir.resolve("offsets-" + round));
    try {
      Map<String, String> config = new HashMap<>();
      config.put("name", "sink-" + round);
      config.put("connector.class", ZooKeeperSinkConnector.class.getName());
      config.put("tasks.max", "1");
      config.put("topics", topic);
      config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
      config.put("zookeeper.connect", connect);
      config.put(ZooKeeperSinkConfig.SUBTREE_CONFIG, ROOT);
      config.put(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG, "/bench-offsets/sink-" + round);
      long start = System.nanoTime();
      ConnectWorkers.put(worker, "sink-" + round, config);
      long deadline = start + TimeUnit.MINUTES.toNanos(10);
      while (!last.equals(new String(client.getData().forPath(lastPath), StandardCharsets.UTF_8))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the sink did not apply " + count + " commands in 10 min");
        }
        Thread.sleep(2); // a harness poll of the last command's node
      }
      return count / ((System.nanoTime() - start) / 1e9);
    } finally {
      worker.stop();
      worker.awaitStop();
    }
  }
}
