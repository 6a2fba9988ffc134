package dev.pipekeeper.kafka;

/** Who runs a pipeline (docs/design.md §6). */
public enum Mode {
  /**
   * Every member runs it: the members consume as one Kafka consumer group with cooperative
   * rebalancing, and ZooKeeper gives them membership and live configuration.
   */
  PARALLEL,
  /**
   * Only the elected leader of the role {@code NAME.singleton} runs it, consuming every partition
   * of its topics. Its transactional producer's id is the pipeline's own, so a new leader fences
   * the old one inside Kafka; every output record carries the lease's epoch in the header {@code
   * pipekeeper.epoch}, and the lease is checked before every commit. A suspended connection aborts
   * the open transaction at once.
   */
  SINGLETON,
  /**
   * The group's work units are assigned to the members ({@code Pipekeeper.worker}); each owned unit
   * runs its own {@link WorkUnitSource} with a transactional producer whose id is the unit's, so a
   * unit's new owner fences the previous one in Kafka. The unit's position is written to the
   * positions topic in the same transaction as its output, and a new owner resumes from it.
   */
  SHARDED
}
