package dev.pipekeeper.kafka;

/** Who runs a pipeline (DESIGN.md §6). */
public enum Mode {
  /**
   * Every member runs it: the members consume as one Kafka consumer group with cooperative
   * rebalancing, and ZooKeeper gives them membership and live configuration.
   */
  PARALLEL
}
