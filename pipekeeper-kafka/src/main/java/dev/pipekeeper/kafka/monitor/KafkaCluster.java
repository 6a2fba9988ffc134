package dev.pipekeeper.kafka.monitor;

import java.util.List;
import java.util.Optional;

/**
 * What a Kafka cluster says of itself ({@link KafkaProbe#describeCluster()}).
 *
 * @param bootstrapServers the servers asked
 * @param reachable whether the cluster answered
 * @param clusterId its id, when it answered
 * @param brokers its live brokers
 * @param controller the id of the node Kafka reports as controller, if any
 * @param error why it did not answer: {@code no answer within N ms}, or the client's reason
 */
public record KafkaCluster(
    String bootstrapServers,
    boolean reachable,
    Optional<String> clusterId,
    List<Broker> brokers,
    Optional<Integer> controller,
    Optional<String> error) {

  public KafkaCluster {
    brokers = List.copyOf(brokers);
  }

  /** A cluster that did not answer, and why. */
  static KafkaCluster unreachable(String bootstrapServers, String error) {
    return new KafkaCluster(
        bootstrapServers, false, Optional.empty(), List.of(), Optional.empty(), Optional.of(error));
  }

  /** One broker as the cluster's metadata names it. */
  public record Broker(int id, String host, int port, Optional<String> rack) {}
}
