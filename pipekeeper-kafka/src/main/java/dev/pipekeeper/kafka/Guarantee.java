package dev.pipekeeper.kafka;

/** What a pipeline promises about its output. */
public enum Guarantee {
  /**
   * Each input record's output (and the consumer offsets) is committed in one Kafka transaction: a
   * reader with {@code isolation.level=read_committed} sees every output exactly once, also after
   * crashes and rebalances.
   */
  EXACTLY_ONCE,
  /** Output is flushed before the offsets are committed: nothing is lost, duplicates may appear. */
  AT_LEAST_ONCE
}
