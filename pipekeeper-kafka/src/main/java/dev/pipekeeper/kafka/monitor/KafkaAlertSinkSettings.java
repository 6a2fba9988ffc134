package dev.pipekeeper.kafka.monitor;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The validated settings of one {@link KafkaAlertSink}, made by {@link
 * KafkaAlertSinkBuilder#build()} and read by {@link DefaultKafkaAlertSink}; immutable.
 *
 * @param kafkaProperties the user's Kafka client properties
 * @param createTopic how a missing topic is created, if asked for
 */
record KafkaAlertSinkSettings(
    String bootstrapServers,
    String topic,
    Map<String, Object> kafkaProperties,
    Duration timeout,
    Optional<KafkaAlertSinkSettings.TopicToCreate> createTopic) {

  /** How a missing topic is created. */
  record TopicToCreate(int partitions, short replicationFactor) {}

  KafkaAlertSinkSettings {
    kafkaProperties = Map.copyOf(kafkaProperties);
  }
}
