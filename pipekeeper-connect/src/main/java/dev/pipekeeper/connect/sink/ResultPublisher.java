package dev.pipekeeper.connect.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each record's {@link Outcome} to the result topic, from a producer of the task's own
 * (idempotent, acks=all). Keyed {@code TOPIC-PARTITION@OFFSET}; the value is JSON: {@code topic},
 * {@code partition}, {@code offset}, {@code outcome}, {@code reason}, {@code commands}. A send that
 * fails is logged: outcomes are a report, ZooKeeper and the offsets node are the record of what was
 * applied.
 */
final class ResultPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResultPublisher.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KafkaProducer<String, String> producer;
  private final String topic;

  /**
   * @param settings the producer's own settings (security), checked by the connector's config
   *     against class-loading keys; the brokers, client id and delivery settings below win
   */
  ResultPublisher(
      String bootstrapServers, Map<String, Object> settings, String topic, String clientId) {
    Map<String, Object> props = new LinkedHashMap<>(settings);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    this.topic = topic;
  }

  /** Sends {@code record}'s outcome (asynchronously). */
  void publish(SinkRecord record, Outcome outcome) {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("topic", record.topic());
    value.put("partition", record.kafkaPartition());
    value.put("offset", record.kafkaOffset());
    value.put("outcome", outcome.kind().word());
    value.put("reason", outcome.reason());
    value.put("commands", outcome.commands());
    String key = record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
    String text;
    try {
      text = JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e); // strings, numbers and a list always write
    }
    producer.send(
        new ProducerRecord<>(topic, key, text),
        (metadata, error) -> {
          if (error != null) {
            LOG.warn("outcome of {} not published to {}: {}", key, topic, error.toString());
          }
        });
  }

  /** Waits until what was sent is acknowledged (or failed). */
  void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
