package dev.pipekeeper.core.monitor;

import java.util.Set;

/**
 * A system outside ZooKeeper that the monitor asks once per evaluation: Kafka, for its reachability
 * and the consumer groups' offsets (see {@code dev.pipekeeper.kafka.monitor} in pipekeeper-kafka).
 * Called on the monitor's evaluation thread; it must return within its own timeout, and report an
 * unreachable system rather than throw.
 */
public interface MonitorProbe extends AutoCloseable {

  /** The system's name, e.g. {@code kafka}. */
  String system();

  /**
   * Asks the system now.
   *
   * @param groups the consumer groups whose offsets the rules need (groups that do not exist there
   *     are left out of the report)
   */
  ProbeReport probe(Set<String> groups);

  /** Releases the probe's clients. The default does nothing. */
  @Override
  default void close() {}
}
