package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.kafka.PipelineBuilder;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings of a pipeline: the user's properties, then what the guarantee depends
 * on (which wins).
 */
final class ClientProperties {
  /** The least session a broker accepts by default ({@code group.min.session.timeout.ms}). */
  static final long MIN_KAFKA_SESSION_MS = 6000;

  private ClientProperties() {}

  /** A consumer of the pipeline's group, reading committed data only, committing by itself. */
  static Map<String, Object> consumer(PipelineBuilder<?, ?, ?, ?> settings, String memberId) {
    Map<String, Object> props = new HashMap<>(settings.kafkaProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.name());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.name() + "-" + memberId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Kafka's session follows Pipekeeper's (not its 45 s default), so a dead instance's partitions
    // move about when its ZooKeeper roles do; 6 s is the brokers' default least.
    long session =
        Math.max(MIN_KAFKA_SESSION_MS, settings.pipekeeper().negotiatedSessionTimeout().toMillis());
    if (!props.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
      props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
      props.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) (session / 3));
    }
    props.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    return props;
  }

  /** An idempotent producer; transactional if {@code transactionalId} is not null. */
  static Map<String, Object> producer(
      PipelineBuilder<?, ?, ?, ?> settings, String memberId, String transactionalId) {
    Map<String, Object> props = new HashMap<>(settings.kafkaProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, settings.name() + "-" + memberId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    if (transactionalId != null) {
      props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
    return props;
  }
}
