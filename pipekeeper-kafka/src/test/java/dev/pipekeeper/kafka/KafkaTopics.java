package dev.pipekeeper.kafka;

import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Kafka pipeline test's kit on the shared broker: create topics, produce, read everything
 * committed, count, read a child's progress, connect to ZooKeeper.
 */
final class KafkaTopics {
  private KafkaTopics() {}

  static void create(TestCluster cluster, int partitions, String... topics)
      throws ExecutionException, InterruptedException {
    Map<String, Object> props =
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> created = new ArrayList<>();
      for (String topic : topics) {
        created.add(new NewTopic(topic, partitions, (short) 1));
      }
      admin.createTopics(created).all().get();
    }
  }

  /** Sends {@code key-i → value-i} for i in [from, to), and waits for the acknowledgements. */
  static void produce(TestCluster cluster, String topic, int from, int to) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = from; i < to; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
      }
      producer.flush();
    }
  }

  static void produce(TestCluster cluster, String topic, String key, String value) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value));
      producer.flush();
    }
  }

  /** Every committed record of {@code topic} now (read_committed, up to the last stable offset). */
  static List<ConsumerRecord<String, String>> readCommitted(TestCluster cluster, String topic) {
    return TopicReader.readCommitted(cluster.bootstrapServers(), topic);
  }

  /** How often each value occurs. */
  static Map<String, Long> countsByValue(List<ConsumerRecord<String, String>> records) {
    return records.stream()
        .collect(
            java.util.stream.Collectors.groupingBy(
                ConsumerRecord::value, java.util.stream.Collectors.counting()));
  }

  /**
   * The last {@code PROCESSED n} a child pipeline ({@link PipelineProcess}) reported; 0 if none.
   */
  static long lastProcessed(dev.pipekeeper.embedded.ChildJvm child) {
    List<String> lines = child.lines();
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith("PROCESSED ")) {
        return Long.parseLong(lines.get(i).substring("PROCESSED ".length()));
      }
    }
    return 0;
  }

  /** A Pipekeeper connection to the test's cluster as {@code id}, with this session timeout. */
  static dev.pipekeeper.core.Pipekeeper connect(TestCluster cluster, String id, Duration session) {
    return dev.pipekeeper.core.Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(id)
        .sessionTimeout(session)
        .build();
  }
}
