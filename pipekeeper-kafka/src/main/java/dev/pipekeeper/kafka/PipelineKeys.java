package dev.pipekeeper.kafka;

/**
 * The configuration keys a pipeline reads live from its scope {@code pipeline/NAME} (or a member's
 * own scope), the one place they are declared. Changes take effect without a restart.
 */
public final class PipelineKeys {
  private PipelineKeys() {}

  /** Boolean, default false: while true the pipeline consumes nothing (it stays in its group). */
  public static final String PAUSED = "pipeline.paused";

  public static final String PAUSED_DOC =
      "While true the pipeline consumes nothing; its members stay in the group.";

  /**
   * Integer ≥ 0, default the builder's {@code retries} (2): how often a record whose processing
   * threw is tried again before it goes to the dead-letter topic.
   */
  public static final String RETRIES = "pipeline.retries";

  public static final String RETRIES_DOC =
      "How often a record whose processing threw is tried again before it is dead-lettered.";
}
