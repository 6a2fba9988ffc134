package dev.pipekeeper.kafka;

/** The record headers a pipeline writes, the one place their names are declared. */
public final class PipelineHeaders {
  private PipelineHeaders() {}

  /** On every output record of a SINGLETON pipeline: the leader's lease epoch, in decimal. */
  public static final String EPOCH = "pipekeeper.epoch";

  /** On every output record of a SHARDED pipeline: the unit owner's fencing token, in decimal. */
  public static final String UNIT_TOKEN = "pipekeeper.unit.token";

  /** On a dead letter: the pipeline that gave up on the record. */
  public static final String DEAD_LETTER_PIPELINE = "pipekeeper.pipeline";

  /** On a dead letter: the class of the last error. */
  public static final String ERROR_CLASS = "pipekeeper.error.class";

  /** On a dead letter: the message of the last error. */
  public static final String ERROR_MESSAGE = "pipekeeper.error.message";

  /** On a dead letter: where the record was read from. */
  public static final String SOURCE_TOPIC = "pipekeeper.source.topic";

  public static final String SOURCE_PARTITION = "pipekeeper.source.partition";

  public static final String SOURCE_OFFSET = "pipekeeper.source.offset";
}
