package dev.pipekeeper.kafka;

import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.locks.Locks;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

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

  /**
   * In a {@link Mode#SINGLETON} pipeline, the leadership lease this record is processed under: its
   * epoch is the one stamped on the output, and {@link Lease#isValid()} turns false as soon as the
   * role is in doubt. Empty in the other modes.
   */
  Optional<Lease> lease();

  /**
   * In a {@link Mode#SHARDED} pipeline, the ownership of the work unit this record came from (its
   * fencing token is stamped on the output). Empty in the other modes.
   */
  Optional<UnitOwnership> unit();

  /**
   * Distributed locks of the pipeline's cluster, for work that must be exclusive beyond what the
   * mode gives (taking one blocks the pipeline thread: keep it short).
   */
  Locks locks();

  /**
   * The registry the pipeline records its own meters in (tagged {@code pipeline=NAME}), for the
   * processor's meters.
   */
  MeterRegistry metrics();

  /** Emits a record to {@code topic}; it is sent once the processor returns normally. */
  void emit(String topic, KO key, VO value);

  /** Emits a record without a key. */
  default void emit(String topic, VO value) {
    emit(topic, null, value);
  }
}
