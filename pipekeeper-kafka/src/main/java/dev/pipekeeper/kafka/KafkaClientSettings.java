package dev.pipekeeper.kafka;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.ensemble.HostAndPort;
import dev.pipekeeper.kafka.internal.ClientProperties;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How Kafka clients reach and log in to one cluster: its bootstrap servers and the client
 * properties every client gets (security settings such as {@code security.protocol}, {@code
 * sasl.jaas.config}, {@code ssl.truststore.location}). As in {@link PipelineBuilder#kafkaProperty},
 * a key prefixed {@code consumer.}, {@code producer.} or {@code admin.} applies, without its
 * prefix, to that kind of client only and wins over the same key unprefixed. Immutable.
 *
 * <p>A pipeline takes it with {@link PipelineBuilder#kafka}; {@link #consumer()}, {@link
 * #producer()} and {@link #admin()} give the configuration of a plain client of each kind, each a
 * new mutable map the caller may add its own settings to.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param properties the client properties, without {@code bootstrap.servers}
 */
public record KafkaClientSettings(String bootstrapServers, Map<String, Object> properties) {

  /**
   * @throws InvalidInputException if the servers are not {@code host:port[,...]}, or the properties
   *     hold {@code bootstrap.servers} (which {@code bootstrapServers} is) or a blank key
   */
  public KafkaClientSettings {
    HostAndPort.parseList(bootstrapServers, 0, "Kafka bootstrap servers");
    bootstrapServers = bootstrapServers.strip();
    for (String key : properties.keySet()) {
      if (key == null || key.isBlank()) {
        throw new InvalidInputException("a Kafka client property needs a name");
      }
      if (key.endsWith(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new InvalidInputException(
            "Kafka client property "
                + key
                + ": the bootstrap servers are "
                + bootstrapServers
                + ", given apart from the properties");
      }
    }
    properties = Map.copyOf(properties);
  }

  /** The servers alone: plaintext, no credentials. */
  public static KafkaClientSettings of(String bootstrapServers) {
    return new KafkaClientSettings(bootstrapServers, Map.of());
  }

  /**
   * From a whole Kafka client configuration, as a client properties file holds it: its {@code
   * bootstrap.servers} and the rest as the properties.
   *
   * @throws InvalidInputException if it has no {@code bootstrap.servers}, or as the constructor
   */
  public static KafkaClientSettings from(Map<String, ?> config) {
    Object servers = config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null) {
      throw new InvalidInputException(
          "a Kafka client configuration needs " + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }
    Map<String, Object> properties = new TreeMap<>(config);
    properties.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    return new KafkaClientSettings(servers.toString(), properties);
  }

  /** A consumer's configuration: the properties for consumers, and the bootstrap servers. */
  public Map<String, Object> consumer() {
    return forClient(ClientProperties.Client.CONSUMER);
  }

  /** A producer's configuration: the properties for producers, and the bootstrap servers. */
  public Map<String, Object> producer() {
    return forClient(ClientProperties.Client.PRODUCER);
  }

  /** An admin client's configuration: the properties for admin clients, and the servers. */
  public Map<String, Object> admin() {
    return forClient(ClientProperties.Client.ADMIN);
  }

  /** The properties without their values, which may be credentials: for messages and logs. */
  @Override
  public String toString() {
    return "KafkaClientSettings[bootstrapServers="
        + bootstrapServers
        + ", properties="
        + new TreeMap<>(properties).keySet()
        + "]";
  }

  private Map<String, Object> forClient(ClientProperties.Client client) {
    Map<String, Object> config = ClientProperties.forClient(properties, client);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }
}
