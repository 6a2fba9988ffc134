package dev.pipekeeper.kafka.monitor;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.ensemble.HostAndPort;
import dev.pipekeeper.core.internal.Durations;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of a {@link KafkaAlertSink}: one flat builder, from {@link KafkaAlertSink#builder}. Not
 * thread-safe; each {@link #build()} makes an independent sink from an immutable copy of the
 * settings.
 */
public final class KafkaAlertSinkBuilder {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private final String bootstrapServers;
  private final String topic;
  private final Map<String, Object> kafka = new HashMap<>();
  private Duration timeout = Duration.ofSeconds(5);
  private KafkaAlertSinkSettings.TopicToCreate createTopic;

  KafkaAlertSinkBuilder(String bootstrapServers, String topic) {
    HostAndPort.parseList(bootstrapServers, 0, "Kafka bootstrap servers");
    if (topic == null
        || !TOPIC.matcher(topic).matches()
        || topic.equals(".")
        || topic.equals("..")) {
      throw new InvalidInputException(
          "'"
              + topic
              + "' is not a Kafka topic name: 1 to 249 characters of letters, digits, '.', '_'"
              + " and '-'");
    }
    this.bootstrapServers = bootstrapServers.trim();
    this.topic = topic;
  }

  /**
   * A Kafka client property for the sink's producer (and the admin client that creates the topic),
   * e.g. security settings. The sink sets {@code bootstrap.servers}, {@code acks}, {@code
   * enable.idempotence}, the serializers and the timeouts it derives from {@link #timeout} ({@code
   * max.block.ms}, {@code request.timeout.ms}, {@code delivery.timeout.ms}, {@code linger.ms} 0)
   * itself; those win.
   *
   * @throws InvalidInputException if the key is null or blank
   */
  public KafkaAlertSinkBuilder kafkaProperty(String key, Object value) {
    if (key == null || key.isBlank()) {
      throw new InvalidInputException("a Kafka client property needs a name");
    }
    kafka.put(key, Objects.requireNonNull(value, key));
    return this;
  }

  /** {@link #kafkaProperty} for each entry. */
  public KafkaAlertSinkBuilder kafkaProperties(Map<String, ?> values) {
    values.forEach(this::kafkaProperty);
    return this;
  }

  /**
   * How long a delivery waits for the broker's acknowledgement, metadata included (default 5 s; 100
   * ms to 5 min). Also the bound of {@link KafkaAlertSink#close()}.
   *
   * @throws InvalidInputException if outside those bounds
   */
  public KafkaAlertSinkBuilder timeout(Duration value) {
    if (value == null
        || value.compareTo(KafkaProbeBuilder.MIN_TIMEOUT) < 0
        || value.compareTo(KafkaProbeBuilder.MAX_TIMEOUT) > 0) {
      throw new InvalidInputException(
          "the alert sink timeout must be from 100ms to 5m, not "
              + (value == null ? "missing" : Durations.format(value)));
    }
    this.timeout = value;
    return this;
  }

  /**
   * Creates the topic, if it does not exist, before the first delivery (a normal topic, deleted by
   * retention, not compacted: each record is a transition, not a latest state). Off by default: the
   * topic must exist, or the broker must create topics automatically. Creation is tried again on
   * each delivery until it succeeds; a topic that exists already is left as it is.
   *
   * @throws InvalidInputException if either count is below 1 (or the replication factor above
   *     {@link Short#MAX_VALUE})
   */
  public KafkaAlertSinkBuilder createTopic(int partitions, int replicationFactor) {
    if (partitions < 1) {
      throw new InvalidInputException(
          "the alert topic needs at least 1 partition, not " + partitions);
    }
    if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
      throw new InvalidInputException(
          "the alert topic's replication factor must be at least 1, not " + replicationFactor);
    }
    this.createTopic =
        new KafkaAlertSinkSettings.TopicToCreate(partitions, (short) replicationFactor);
    return this;
  }

  /** A sink; it connects on its first delivery. */
  public KafkaAlertSink build() {
    return new DefaultKafkaAlertSink(
        new KafkaAlertSinkSettings(
            bootstrapServers, topic, kafka, timeout, Optional.ofNullable(createTopic)));
  }
}
