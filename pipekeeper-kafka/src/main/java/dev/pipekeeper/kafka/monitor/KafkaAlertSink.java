package dev.pipekeeper.kafka.monitor;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import dev.pipekeeper.core.monitor.AlertSink;

/**
 * Delivers alert transitions to a Kafka topic: one record per transition, keyed by {@link
 * Alert#key()} (UTF-8), whose value is the alert's {@link AlertCodec} JSON (its {@link
 * Alert#state()} says FIRING or RESOLVED), so all transitions of one alert land on one partition in
 * order.
 *
 * <pre>{@code
 * AlertSink sink =
 *     KafkaAlertSink.builder("kafka1:9092", "pipekeeper.alerts")
 *         .createTopic(3, 3) // only if it is missing
 *         .build();
 * }</pre>
 *
 * <p>The producer is idempotent with {@code acks=all}; {@link #deliver(Alert)} returns once the
 * broker acknowledged the record, or throws {@link dev.pipekeeper.core.monitor.DeliveryException}
 * (naming the topic and the reason) after the {@linkplain KafkaAlertSinkBuilder#timeout timeout}.
 * The monitor retries then, so a record whose acknowledgement was lost may be written twice: a
 * consumer of the topic sees each transition at least once and can tell repeats by key and state.
 *
 * <p>The producer is made on the first delivery and kept; one that failed after having delivered is
 * replaced on the next delivery. Deliveries are serialized; {@link #close()} releases the producer
 * within the timeout and is safe to call twice.
 */
public interface KafkaAlertSink extends AlertSink {

  /** The {@linkplain #name() name} of every Kafka alert sink. */
  String NAME = "kafka";

  /**
   * A builder for a sink that writes to {@code topic} on the cluster at {@code bootstrapServers}.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the server list or the topic name is not
   *     valid
   */
  static KafkaAlertSinkBuilder builder(String bootstrapServers, String topic) {
    return new KafkaAlertSinkBuilder(bootstrapServers, topic);
  }

  /** {@value #NAME}. */
  @Override
  String name();

  /** The topic alerts are written to. */
  String topic();

  /**
   * Writes the alert and waits for the broker's acknowledgement, at most the timeout (plus the
   * topic's creation on the first delivery, if asked for).
   *
   * @throws dev.pipekeeper.core.monitor.DeliveryException naming the topic and the reason, if it
   *     was not acknowledged in time or was refused
   * @throws IllegalStateException if the sink was closed
   */
  @Override
  void deliver(Alert alert);

  /** Closes the producer, waiting at most the timeout for records in flight; safe twice. */
  @Override
  void close();
}
