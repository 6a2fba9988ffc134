package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Processor;
import dev.pipekeeper.kafka.WorkUnitSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;

/**
 * The validated settings of one pipeline, made by {@code PipelineBuilder.build()} and read by the
 * pipeline's implementation; immutable.
 *
 * @param metrics the registry set on the builder, else the connection's
 * @param kafkaProperties the user's Kafka client properties, prefixed ones included (see {@link
 *     ClientProperties})
 * @param sources SHARDED only (null otherwise)
 */
public record PipelineSettings<KI, VI, KO, VO>(
    String name,
    Serde<KI> keyIn,
    Serde<VI> valueIn,
    Serde<KO> keyOut,
    Serde<VO> valueOut,
    Pipekeeper pipekeeper,
    String bootstrapServers,
    List<String> topics,
    Processor<KI, VI, KO, VO> processor,
    Mode mode,
    Guarantee guarantee,
    String deadLetterTopic,
    int retries,
    Duration closeTimeout,
    Map<String, Object> kafkaProperties,
    Function<String, WorkUnitSource<KI, VI>> sources,
    String positionsTopic,
    MeterRegistry metrics,
    Duration healthInterval) {

  public PipelineSettings {
    topics = List.copyOf(topics);
    kafkaProperties = Map.copyOf(kafkaProperties);
  }

  /** Whether each batch is one Kafka transaction ({@link Guarantee#EXACTLY_ONCE}). */
  boolean transactional() {
    return guarantee == Guarantee.EXACTLY_ONCE;
  }
}
