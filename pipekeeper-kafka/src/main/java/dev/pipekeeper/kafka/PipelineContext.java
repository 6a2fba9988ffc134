package dev.pipekeeper.kafka;

import dev.pipekeeper.core.config.ConfigView;

/**
 * What a {@link Processor} gets with each record. Valid only during the call it was given to.
 *
 * @param <KO> output key type
 * @param <VO> output value type
 */
public interface PipelineContext<KO, VO> {

  /** The pipeline's name. */
  String pipeline();

  /** This instance's member id in the pipeline's group. */
  String memberId();

  /**
   * The live configuration of this instance (member over pipeline over global scope), kept by
   * watches: reading it costs no ZooKeeper call.
   */
  ConfigView config();

  /** Emits a record to {@code topic}; it is sent once the processor returns normally. */
  void emit(String topic, KO key, VO value);

  /** Emits a record without a key. */
  default void emit(String topic, VO value) {
    emit(topic, null, value);
  }
}
