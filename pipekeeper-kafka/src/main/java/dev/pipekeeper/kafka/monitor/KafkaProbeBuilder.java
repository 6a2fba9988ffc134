package dev.pipekeeper.kafka.monitor;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.ensemble.HostAndPort;
import dev.pipekeeper.core.internal.Durations;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link KafkaProbe}: one flat builder; only the bootstrap servers are required. Not
 * thread-safe; each {@link #build()} makes an independent probe.
 */
public final class KafkaProbeBuilder {
  static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

  private final String bootstrapServers;
  private final Map<String, Object> kafka = new HashMap<>();
  private Duration timeout = Duration.ofSeconds(2);
  private int maxTimestampReads = 200;
  private Clock clock = Clock.systemUTC();

  KafkaProbeBuilder(String bootstrapServers) {
    HostAndPort.parseList(bootstrapServers, 0, "Kafka bootstrap servers");
    this.bootstrapServers = bootstrapServers.trim();
  }

  /**
   * A Kafka client property for the probe's admin client and consumer, e.g. security settings
   * ({@code security.protocol}, {@code sasl.jaas.config}, {@code ssl.truststore.location}). The
   * probe sets {@code bootstrap.servers}, the consumer's {@code group.id} (none), {@code
   * isolation.level}, {@code enable.auto.commit}, {@code auto.offset.reset} and deserializers
   * itself; those win. {@code client.id} (default {@code pipekeeper-kafka-probe-N}) names the admin
   * client; the consumer's is that with {@code -timestamps} appended. The consumer's {@code
   * fetch.max.wait.ms} defaults to 0 (it never waits for new records).
   *
   * @throws InvalidInputException if the key is null or blank
   */
  public KafkaProbeBuilder kafkaProperty(String key, Object value) {
    if (key == null || key.isBlank()) {
      throw new InvalidInputException("a Kafka client property needs a name");
    }
    kafka.put(key, Objects.requireNonNull(value, key));
    return this;
  }

  /** {@link #kafkaProperty} for each entry. */
  public KafkaProbeBuilder kafkaProperties(Map<String, ?> values) {
    values.forEach(this::kafkaProperty);
    return this;
  }

  /**
   * How long one probe may take, all requests included (default 2 s; 100 ms to 5 min). A probe that
   * gets no answer in that time reports Kafka unreachable.
   *
   * @throws InvalidInputException if outside those bounds
   */
  public KafkaProbeBuilder timeout(Duration value) {
    if (value == null || value.compareTo(MIN_TIMEOUT) < 0 || value.compareTo(MAX_TIMEOUT) > 0) {
      throw new InvalidInputException(
          "the probe timeout must be from 100ms to 5m, not "
              + (value == null ? "missing" : Durations.format(value)));
    }
    this.timeout = value;
    return this;
  }

  /**
   * At most how many partitions with lag a probe reads a record of, for its timestamp (default 200;
   * 0 reads none, and no report has {@code oldestUnconsumed}). The partitions with the most lag are
   * read first; those beyond the cap have no timestamp in that probe.
   *
   * @throws InvalidInputException if negative
   */
  public KafkaProbeBuilder maxTimestampReads(int value) {
    if (value < 0) {
      throw new InvalidInputException("maxTimestampReads must be 0 (none) or more, not " + value);
    }
    this.maxTimestampReads = value;
    return this;
  }

  /** The clock that dates reports ({@link dev.pipekeeper.core.monitor.ProbeReport#at()}). */
  public KafkaProbeBuilder clock(Clock value) {
    this.clock = Objects.requireNonNull(value, "clock");
    return this;
  }

  /** A probe; it connects on its first {@link KafkaProbe#probe}. */
  public KafkaProbe build() {
    return new DefaultKafkaProbe(
        new KafkaProbeSettings(
            bootstrapServers, Map.copyOf(kafka), timeout, maxTimestampReads, clock));
  }
}
