package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.kafka.PipelineBuilder;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings of a pipeline: the user's properties for that client, then what the
 * guarantee depends on (which wins).
 *
 * <p>The user's properties are one map for every client, as Kafka Streams takes them: a key without
 * a client prefix applies to every client; a key prefixed {@code consumer.}, {@code producer.} or
 * {@code admin.} applies, without its prefix, to that kind of client only, and wins over the same
 * key unprefixed. The one home of that rule: {@link dev.pipekeeper.kafka.KafkaClientSettings}
 * applies it through {@link #forClient} too.
 */
public final class ClientProperties {
  /** The kinds of client, each with the prefix of the properties meant for it alone. */
  public enum Client {
    CONSUMER("consumer."),
    PRODUCER("producer."),
    /**
     * No pipeline mode makes an admin client: its properties go to the admin clients of {@link
     * dev.pipekeeper.kafka.KafkaClientSettings#admin()} (the examples' topic set-up) only.
     */
    ADMIN("admin.");

    private final String prefix;

    Client(String prefix) {
      this.prefix = prefix;
    }

    /** The prefix of the properties meant for this kind of client alone, e.g. {@code consumer.}. */
    public String prefix() {
      return prefix;
    }
  }

  /** The least session a broker accepts by default ({@code group.min.session.timeout.ms}). */
  static final long MIN_KAFKA_SESSION_MS = 6000;

  /**
   * The retry backoff of every pipeline client, unless the user's properties set one ({@code
   * retry.backoff.ms}, 100 ms by Kafka's default; the value's public home is {@link
   * PipelineBuilder#DEFAULT_RETRY_BACKOFF_MS}). It is on the path of every takeover twice over: a
   * producer that does not know its coordinator yet (every new leader's, at {@code
   * initTransactions} for the transaction coordinator and at its first {@code
   * sendOffsetsToTransaction} for the group's) looks it up and then sleeps this long on its network
   * thread before sending the request that waited for it; and the takeover's transactional calls
   * and committed-offsets fetch are answered "retry" (CONCURRENT_TRANSACTIONS,
   * UNSTABLE_OFFSET_COMMIT) while the broker writes the previous term's transaction markers, which
   * takes milliseconds. At 10 ms the two sleeps were 20 ms of a graceful takeover's 110–130. The
   * producer's transactional requests retry at this flat interval (its other requests, and the
   * consumer's, back off exponentially from it up to {@code retry.backoff.max.ms}, 1 s), so it is
   * not lower still: a coordinator that is loading after a broker failover answers "retry" for as
   * long as that takes, and at 2 ms plus a round trip a waiting producer asks a few hundred times a
   * second.
   */
  static final int RETRY_BACKOFF_MS = PipelineBuilder.DEFAULT_RETRY_BACKOFF_MS;

  private ClientProperties() {}

  /**
   * What {@code client} gets of the user's properties: the unprefixed ones, then its own prefixed
   * ones without their prefix (which win); another client's prefixed ones are left out. A new
   * mutable map.
   */
  public static Map<String, Object> forClient(Map<String, Object> user, Client client) {
    Map<String, Object> props = new HashMap<>();
    Map<String, Object> own = new HashMap<>();
    user.forEach(
        (key, value) -> {
          Client prefixed = prefixOf(key);
          if (prefixed == null) {
            props.put(key, value);
          } else if (prefixed == client) {
            own.put(key.substring(client.prefix().length()), value);
          }
        });
    props.putAll(own);
    return props;
  }

  private static Client prefixOf(String key) {
    for (Client client : Client.values()) {
      if (key.startsWith(client.prefix())) {
        return client;
      }
    }
    return null;
  }

  /**
   * A consumer of no group that reads committed data only and commits nothing (a SHARDED unit's
   * read of its position).
   */
  static Map<String, Object> reader(PipelineSettings<?, ?, ?, ?> settings) {
    Map<String, Object> props = forClient(settings.kafkaProperties(), Client.CONSUMER);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return props;
  }

  /** A consumer of the pipeline's group, reading committed data only, committing by itself. */
  static Map<String, Object> consumer(PipelineSettings<?, ?, ?, ?> settings, String memberId) {
    Map<String, Object> props = forClient(settings.kafkaProperties(), Client.CONSUMER);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaNames.groupId(settings.name()));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.name() + "-" + memberId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putIfAbsent(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, RETRY_BACKOFF_MS);
    // Kafka's session follows Pipekeeper's (not its 45 s default), so a dead instance's partitions
    // move about when its ZooKeeper roles do; 6 s is the brokers' default least.
    if (!props.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
      long session =
          Math.max(
              MIN_KAFKA_SESSION_MS, settings.pipekeeper().negotiatedSessionTimeout().toMillis());
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
      PipelineSettings<?, ?, ?, ?> settings, String memberId, String transactionalId) {
    Map<String, Object> props = forClient(settings.kafkaProperties(), Client.PRODUCER);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, settings.name() + "-" + memberId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, RETRY_BACKOFF_MS);
    if (transactionalId != null) {
      props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
    return props;
  }
}
