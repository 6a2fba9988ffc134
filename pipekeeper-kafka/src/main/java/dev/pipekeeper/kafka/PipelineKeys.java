package dev.pipekeeper.kafka;

import java.util.List;

/**
 * The configuration keys a pipeline reads live from its scope {@code pipeline/NAME} (or a member's
 * own scope), each declared here once with its name, type, default, validator and doc. Changes take
 * effect without a restart. Set one with its {@link PipelineKey#name() name}, e.g. {@code
 * config().set(Scope.pipeline(name), PipelineKeys.PAUSED.name(), BooleanNode.TRUE, ...)}.
 */
public final class PipelineKeys {
  private PipelineKeys() {}

  /** {@code pipeline.paused}, Boolean, default false: while true the pipeline consumes nothing. */
  public static final PipelineKey<Boolean> PAUSED =
      PipelineKey.of(
          "pipeline.paused",
          Boolean.class,
          false,
          "While true the pipeline consumes nothing; its members stay in the group.");

  /**
   * {@code pipeline.retries}, Integer, at least 0, default the builder's {@code retries} (2): how
   * often a record whose processing threw is tried again before it goes to the dead-letter topic.
   * Read once per batch.
   */
  public static final PipelineKey<Integer> RETRIES =
      PipelineKey.atLeast(
          "pipeline.retries",
          2,
          0,
          "How often a record whose processing threw is tried again before it is dead-lettered.");

  /** Every key, in the order declared. */
  public static List<PipelineKey<?>> all() {
    return List.of(PAUSED, RETRIES);
  }
}
