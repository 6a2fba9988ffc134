package dev.pipekeeper.kafka.monitor;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The validated settings of one {@link KafkaProbe}, made by {@link KafkaProbeBuilder#build()} and
 * read by {@link DefaultKafkaProbe}; immutable.
 *
 * @param kafkaProperties the user's Kafka client properties
 */
record KafkaProbeSettings(
    String bootstrapServers,
    Map<String, Object> kafkaProperties,
    Duration timeout,
    int maxTimestampReads,
    Clock clock) {}
