package dev.pipekeeper.kafka;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;

/**
 * A processing function run on many instances with Kafka consumers and producers, coordinated
 * through ZooKeeper: each instance is a member of the group named after the pipeline, follows the
 * pipeline's live configuration, and commits its output with the chosen {@link Guarantee}.
 *
 * <p>An instance's member id is its connection's {@link dev.pipekeeper.core.Pipekeeper#identity()
 * identity()}: give each instance its own connection. PARALLEL and SINGLETON instances commit their
 * offsets to the Kafka consumer group named after the pipeline ({@code group.id} = the name).
 * <!-- example-context: Pipekeeper pk; String enrich(String click) -->
 *
 * <pre>{@code
 * Pipeline enricher =
 *     Pipeline.builder("enricher", Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
 *         .pipekeeper(pk)
 *         .bootstrapServers("kafka:9092")
 *         .topics("clicks")
 *         .processor((record, ctx) -> ctx.emit("clicks-enriched", record.key(), enrich(record.value())))
 *         .guarantee(Guarantee.EXACTLY_ONCE)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>No ZooKeeper operation happens per record. Thread-safe; {@link #close()} is safe twice.
 */
public interface Pipeline extends AutoCloseable {

  /** A builder for a pipeline with these input and output serdes. */
  static <KI, VI, KO, VO> PipelineBuilder<KI, VI, KO, VO> builder(
      String name, Serde<KI> keyIn, Serde<VI> valueIn, Serde<KO> keyOut, Serde<VO> valueOut) {
    return new PipelineBuilder<>(name, keyIn, valueIn, keyOut, valueOut);
  }

  /** States of a pipeline instance. */
  enum State {
    CREATED,
    RUNNING,
    /** Running, but consuming nothing ({@link PipelineKeys#PAUSED}). */
    PAUSED,
    /**
     * Stopped after an error it cannot recover from (e.g. fenced by a newer instance, or refused by
     * Kafka's authorizer): see {@link #failure()}.
     */
    FAILED,
    CLOSED
  }

  String name();

  /**
   * Joins the group and starts consuming on the pipeline's own thread.
   *
   * @throws IllegalStateException if started before or closed
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   */
  Pipeline start();

  State state();

  /** The input partitions this instance consumes now (its share of the Kafka group). */
  Set<TopicPartition> partitions();

  /** The work units this instance runs now (a SHARDED pipeline's share; empty in other modes). */
  default Set<String> units() {
    return Set.of();
  }

  /**
   * Why this instance is {@link State#FAILED}: the error that stopped it (a {@link
   * KafkaNotAuthorizedException} naming the resource when Kafka's authorizer refused one); empty
   * unless FAILED.
   */
  Optional<RuntimeException> failure();

  /** Input records processed (dead-lettered ones included) since start. */
  long processed();

  /** Input records sent to the dead-letter topic since start. */
  long deadLettered();

  /**
   * Stops gracefully, within the close timeout: the batch in flight is committed, the Kafka group
   * is left, the ZooKeeper membership ended. Safe to call twice.
   */
  @Override
  void close();
}
