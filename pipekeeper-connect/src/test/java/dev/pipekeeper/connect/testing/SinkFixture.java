package dev.pipekeeper.connect.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the sink tests share: the connector's settings for a test's topics and ZooKeeper paths, a
 * producer of command records, the result and dead-letter topics read back, and the Connect
 * consumer group's offsets rewound (as if a worker had died before committing them).
 */
public final class SinkFixture implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  public final String commands;
  public final String results;
  public final String dlq;
  public final String subtree;
  public final String offsets;
  private final TestCluster cluster;
  private final KafkaProducer<String, String> producer;

  public SinkFixture(TestCluster cluster, String subtree) {
    this.cluster = cluster;
    this.commands = cluster.topic("commands");
    this.results = cluster.topic("results");
    this.dlq = cluster.topic("dlq");
    this.subtree = subtree;
    this.offsets = cluster.chroot() + "/sink-offsets";
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  /** The connector's settings: commands as text, the result topic, the dead-letter topic. */
  public Map<String, String> config(String connectorClass) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", connectorClass);
    config.put("tasks.max", "1");
    config.put("topics", commands);
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("zookeeper.connect", cluster.zkConnect());
    config.put("zookeeper.subtree", subtree);
    config.put("offsets.path", offsets);
    config.put("result.topic", results);
    config.put("result.bootstrap.servers", cluster.bootstrapServers());
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", dlq);
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    return config;
  }

  /** Sends command records (values as they are), and waits until they are written. */
  public void send(String... values) {
    try {
      for (String value : values) {
        producer.send(new ProducerRecord<>(commands, null, value)).get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The outcomes in the result topic, oldest first, as JSON. */
  public List<JsonNode> outcomes() {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<String, String> record : read(results)) {
      try {
        out.add(JSON.readTree(record.value()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Waits until the result topic holds at least {@code count} outcomes; returns them. */
  public List<JsonNode> awaitOutcomes(int count) {
    List<List<JsonNode>> last = new ArrayList<>(List.of(List.of()));
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              last.set(0, outcomes());
              return last.get(0).size() >= count;
            });
    return last.get(0);
  }

  /** The dead-letter topic's records. */
  public List<ConsumerRecord<String, String>> deadLetters() {
    return read(dlq);
  }

  private List<ConsumerRecord<String, String>> read(String topic) {
    try {
      return TopicReader.readCommitted(cluster.bootstrapServers(), topic);
    } catch (RuntimeException e) {
      return List.of(); // not created yet
    }
  }

  /** A header of a record as text, or null. */
  public static String header(ConsumerRecord<String, String> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** The offset the connector's consumer group committed on partition 0 of the commands topic. */
  public long committed(String connector) throws Exception {
    try (Admin admin = admin()) {
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets("connect-" + connector)
              .partitionsToOffsetAndMetadata()
              .get()
              .get(new TopicPartition(commands, 0));
      return offset == null ? -1 : offset.offset();
    }
  }

  /**
   * Rewinds the connector's consumer group to the start of the commands topic, as if its worker had
   * died before Connect committed any offset (the group must have no live member).
   */
  public void rewind(String connector) throws Exception {
    try (Admin admin = admin()) {
      admin
          .alterConsumerGroupOffsets(
              "connect-" + connector,
              Map.of(new TopicPartition(commands, 0), new OffsetAndMetadata(0)))
          .all()
          .get();
    }
  }

  private Admin admin() {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
  }

  @Override
  public void close() {
    producer.close();
  }
}
