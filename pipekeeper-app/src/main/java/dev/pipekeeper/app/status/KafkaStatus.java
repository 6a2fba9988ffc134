package dev.pipekeeper.app.status;

import java.util.List;
import java.util.Optional;

/**
 * What a Kafka cluster says of itself.
 *
 * @param bootstrapServers the servers asked
 * @param reachable whether the cluster answered
 * @param clusterId its id, when it answered
 * @param brokers its live brokers
 * @param controller the id of the node Kafka reports as controller, if any
 * @param error why it did not answer
 */
public record KafkaStatus(
    String bootstrapServers,
    boolean reachable,
    Optional<String> clusterId,
    List<Broker> brokers,
    Optional<Integer> controller,
    Optional<String> error) {

  public KafkaStatus {
    brokers = List.copyOf(brokers);
  }

  /** One broker as the cluster's metadata names it. */
  public record Broker(int id, String host, int port, Optional<String> rack) {}
}
