package dev.pipekeeper.kafka;

/**
 * What a pipeline promises about its output. Both commit per batch, not per record: a batch is what
 * one poll returned (PARALLEL, SINGLETON) or one {@code WorkUnitSource} batch (SHARDED).
 */
public enum Guarantee {
  /**
   * Each batch's output and its progress (the consumer offsets; for SHARDED, the unit's position)
   * are committed in one Kafka transaction: a reader with {@code isolation.level=read_committed}
   * sees every output exactly once, also after crashes and rebalances. A batch that fails to commit
   * is aborted and processed again.
   */
  EXACTLY_ONCE,
  /**
   * Each batch's output is flushed before its progress is committed: nothing is lost, duplicates
   * may appear.
   */
  AT_LEAST_ONCE
}
