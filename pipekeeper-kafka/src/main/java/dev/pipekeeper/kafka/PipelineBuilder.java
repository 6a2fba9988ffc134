package dev.pipekeeper.kafka;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.internal.KafkaNames;
import dev.pipekeeper.kafka.internal.ParallelPipeline;
import dev.pipekeeper.kafka.internal.PipelineSettings;
import dev.pipekeeper.kafka.internal.ShardedPipeline;
import dev.pipekeeper.kafka.internal.SingletonPipeline;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;

/**
 * Settings of a {@link Pipeline}: one flat builder, from {@link Pipeline#builder}. Required: {@link
 * #pipekeeper}, {@link #bootstrapServers} (or {@link #kafka}), {@link #topics} (or, SHARDED, {@link
 * #sources}) and {@link #processor}. Not thread-safe; each {@link #build()} makes an independent
 * pipeline from an immutable copy of the settings.
 *
 * @param <KI> input key type
 * @param <VI> input value type
 * @param <KO> output key type
 * @param <VO> output value type
 */
public final class PipelineBuilder<KI, VI, KO, VO> {
  /**
   * The {@code retry.backoff.ms} of every pipeline client unless its Kafka properties set one
   * ({@link #kafkaProperty}): 2 ms, where Kafka's own default is 100 ms, because a takeover's
   * transactional calls wait out this backoff several times over (see {@code
   * docs/architecture.md}). A client written beside a pipeline that should behave like it (a
   * benchmark's baseline) sets the same.
   */
  public static final int DEFAULT_RETRY_BACKOFF_MS = 2;

  private final String name;
  private final Serde<KI> keyIn;
  private final Serde<VI> valueIn;
  private final Serde<KO> keyOut;
  private final Serde<VO> valueOut;
  private Pipekeeper pipekeeper;
  private String bootstrapServers;
  private List<String> topics = List.of();
  private Processor<KI, VI, KO, VO> processor;
  private Mode mode = Mode.PARALLEL;
  private Guarantee guarantee = Guarantee.EXACTLY_ONCE;
  private String deadLetterTopic;
  private int retries = PipelineKeys.RETRIES.defaultValue();
  private Duration closeTimeout = Duration.ofSeconds(30);
  private final Map<String, Object> kafka = new HashMap<>();
  private Function<String, WorkUnitSource<KI, VI>> sources;
  private String positionsTopic;
  private MeterRegistry metrics;
  private Duration healthInterval = Duration.ofSeconds(5);

  PipelineBuilder(
      String name, Serde<KI> keyIn, Serde<VI> valueIn, Serde<KO> keyOut, Serde<VO> valueOut) {
    this.name = Names.check("pipeline", name);
    this.keyIn = Objects.requireNonNull(keyIn, "keyIn");
    this.valueIn = Objects.requireNonNull(valueIn, "valueIn");
    this.keyOut = Objects.requireNonNull(keyOut, "keyOut");
    this.valueOut = Objects.requireNonNull(valueOut, "valueOut");
    this.deadLetterTopic = KafkaNames.defaultDeadLetterTopic(name);
    this.positionsTopic = KafkaNames.defaultPositionsTopic(name);
  }

  /**
   * The ZooKeeper connection the pipeline coordinates through (not closed with it). The instance's
   * member id is this connection's {@link Pipekeeper#identity()} (in its group, its health record
   * and its Kafka client ids), so each instance of a pipeline needs its own connection.
   */
  public PipelineBuilder<KI, VI, KO, VO> pipekeeper(Pipekeeper value) {
    this.pipekeeper = Objects.requireNonNull(value);
    return this;
  }

  public PipelineBuilder<KI, VI, KO, VO> bootstrapServers(String value) {
    this.bootstrapServers = Objects.requireNonNull(value);
    return this;
  }

  /** The input topics. */
  public PipelineBuilder<KI, VI, KO, VO> topics(String... value) {
    this.topics = List.of(value);
    return this;
  }

  public PipelineBuilder<KI, VI, KO, VO> processor(Processor<KI, VI, KO, VO> value) {
    this.processor = Objects.requireNonNull(value);
    return this;
  }

  public PipelineBuilder<KI, VI, KO, VO> mode(Mode value) {
    this.mode = Objects.requireNonNull(value);
    return this;
  }

  public PipelineBuilder<KI, VI, KO, VO> guarantee(Guarantee value) {
    this.guarantee = Objects.requireNonNull(value);
    return this;
  }

  /**
   * For SHARDED pipelines: opens the source of a work unit, given its name, when this member takes
   * the unit over.
   */
  public PipelineBuilder<KI, VI, KO, VO> sources(Function<String, WorkUnitSource<KI, VI>> value) {
    this.sources = Objects.requireNonNull(value);
    return this;
  }

  /**
   * For SHARDED pipelines: the compacted topic where each unit's position is stored with its output
   * (default {@code NAME.positions}; it must exist).
   */
  public PipelineBuilder<KI, VI, KO, VO> positionsTopic(String value) {
    this.positionsTopic = Objects.requireNonNull(value);
    return this;
  }

  /** Where records whose processing keeps failing go (default {@code NAME.dlq}). */
  public PipelineBuilder<KI, VI, KO, VO> deadLetterTopic(String value) {
    this.deadLetterTopic = Objects.requireNonNull(value);
    return this;
  }

  /**
   * Default of {@link PipelineKeys#RETRIES} when the configuration does not set it (2).
   *
   * @throws InvalidInputException if negative
   */
  public PipelineBuilder<KI, VI, KO, VO> retries(int value) {
    this.retries = PipelineKeys.RETRIES.check(value);
    return this;
  }

  /** How long {@link Pipeline#close()} may take (default 30 s). */
  public PipelineBuilder<KI, VI, KO, VO> closeTimeout(Duration value) {
    this.closeTimeout = Objects.requireNonNull(value);
    return this;
  }

  /**
   * How often the instance publishes its health record ({@code health/NAME/MEMBER}: state, rates,
   * errors, last progress, lag, applied configuration); one ZooKeeper write each time (default 5 s,
   * at least 100 ms).
   */
  public PipelineBuilder<KI, VI, KO, VO> healthInterval(Duration value) {
    if (value.compareTo(Duration.ofMillis(100)) < 0) {
      throw new InvalidInputException(
          "healthInterval must be at least 100 ms, not " + value.toMillis() + " ms");
    }
    this.healthInterval = value;
    return this;
  }

  /**
   * Where the pipeline records its meters (default: the registry of its Pipekeeper connection,
   * {@link Pipekeeper#metrics()}, which is Micrometer's global one unless the connection was given
   * another). The connection's coordination meters stay in the connection's registry; give both the
   * same registry to scrape them together.
   */
  public PipelineBuilder<KI, VI, KO, VO> metrics(MeterRegistry value) {
    this.metrics = Objects.requireNonNull(value);
    return this;
  }

  /**
   * A Kafka client property for the pipeline's clients (e.g. security settings). As in Kafka
   * Streams, a key without a client prefix applies to every client (consumer and producer); a key
   * prefixed {@code consumer.} or {@code producer.} (e.g. {@code consumer.max.poll.records}, {@code
   * producer.linger.ms}) applies, without its prefix, to that client only and wins over the same
   * key unprefixed; {@code admin.} is for admin clients, which no pipeline mode makes today, so
   * such keys go to no client. Properties the pipeline's guarantee depends on ({@code
   * enable.auto.commit}, {@code isolation.level}, {@code transactional.id}, {@code acks},
   * serializers) are set by the pipeline and win, prefixed or not. A PARALLEL consumer's {@code
   * session.timeout.ms} defaults to the connection's negotiated ZooKeeper session timeout (at least
   * 6 s, the brokers' default least), with {@code heartbeat.interval.ms} a third of it, so a dead
   * instance's partitions move about when its ZooKeeper roles do rather than after Kafka's 45 s
   * default; set them here to choose otherwise. Every client's {@code retry.backoff.ms} defaults to
   * {@link #DEFAULT_RETRY_BACKOFF_MS}.
   */
  public PipelineBuilder<KI, VI, KO, VO> kafkaProperty(String key, Object value) {
    kafka.put(key, value);
    return this;
  }

  /**
   * The cluster's {@linkplain #bootstrapServers bootstrap servers} and each of its client
   * properties as {@link #kafkaProperty}.
   */
  public PipelineBuilder<KI, VI, KO, VO> kafka(KafkaClientSettings value) {
    bootstrapServers(value.bootstrapServers());
    value.properties().forEach(this::kafkaProperty);
    return this;
  }

  /**
   * @throws InvalidInputException naming the first missing or invalid setting
   */
  public Pipeline build() {
    if (pipekeeper == null) {
      throw new InvalidInputException("pipeline " + name + ": set pipekeeper(...)");
    }
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new InvalidInputException("pipeline " + name + ": set bootstrapServers(...)");
    }
    if (mode == Mode.SHARDED) {
      if (sources == null) {
        throw new InvalidInputException(
            "pipeline " + name + ": a SHARDED pipeline needs sources(...)");
      }
    } else if (topics.isEmpty()) {
      throw new InvalidInputException("pipeline " + name + ": set at least one input topic");
    }
    if (processor == null) {
      throw new InvalidInputException("pipeline " + name + ": set processor(...)");
    }
    PipelineSettings<KI, VI, KO, VO> settings =
        new PipelineSettings<>(
            name,
            keyIn,
            valueIn,
            keyOut,
            valueOut,
            pipekeeper,
            bootstrapServers,
            topics,
            processor,
            mode,
            guarantee,
            deadLetterTopic,
            retries,
            closeTimeout,
            kafka,
            sources,
            positionsTopic,
            metrics != null ? metrics : pipekeeper.metrics(),
            healthInterval);
    return switch (mode) {
      case PARALLEL -> new ParallelPipeline<>(settings);
      case SINGLETON -> new SingletonPipeline<>(settings);
      case SHARDED -> new ShardedPipeline<>(settings);
    };
  }
}
