package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.LiveValue;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.kafka.KafkaNotAuthorizedException;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineKeys;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

/** What every mode shares: settings, the state machine, counters, live config, record handling. */
abstract class BasePipeline<KI, VI, KO, VO> implements Pipeline {
  final PipelineSettings<KI, VI, KO, VO> settings;
  final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  final AtomicLong processed = new AtomicLong();
  final String memberId;
  ConfigView config;
  RecordHandler<KI, VI, KO, VO> handler;
  private LiveValue<Boolean> paused;
  private final List<Meter> meters = new ArrayList<>();
  private HealthPublication health;
  private HealthSample lastSample;
  private volatile Instant lastProgress;
  private volatile RuntimeException failure;
  private volatile Map<String, Long> lag = Map.of();
  private long lagSampledAt = System.nanoTime() - LAG_SAMPLE_NANOS;

  /** How long each committed-offsets fetch of a bounded rewind waits before it looks again. */
  static final Duration COMMITTED_STEP = Duration.ofSeconds(1);

  private static final long LAG_SAMPLE_NANOS = Duration.ofSeconds(1).toNanos();

  /** The counters at one health report, to rate the next one against. */
  private record HealthSample(long at, long processed, long emitted, long errors) {}

  BasePipeline(PipelineSettings<KI, VI, KO, VO> settings) {
    this.settings = settings;
    this.memberId = settings.pipekeeper().identity();
  }

  /**
   * Moves CREATED → RUNNING.
   *
   * @throws IllegalStateException if started before or closed
   */
  private void beginStart() {
    if (!state.compareAndSet(State.CREATED, State.RUNNING)) {
      throw new IllegalStateException("pipeline " + name() + " was started before or is closed");
    }
  }

  /**
   * Opens the live configuration, the record handling and the pipeline's meters (the first steps of
   * every start). The coordination meters (ZooKeeper connection, applied config versions, the
   * SINGLETON role's leadership, SHARDED's owned units) are the Pipekeeper connection's, registered
   * by core in the connection's registry; the pipeline registers only what is its own.
   */
  private void open() {
    config = settings.pipekeeper().config().view(name(), memberId);
    paused = PipelineKeys.PAUSED.bind(config);
    LiveValue<Integer> retries = PipelineKeys.RETRIES.bind(config, settings.retries());
    handler = new RecordHandler<>(settings, memberId, config, retries::get);
    recordsCounter("processed", processed, AtomicLong::get);
    recordsCounter("dead_lettered", handler, RecordHandler::deadLettered);
    gauge(
        "pipekeeper.pipeline.lag",
        "Records behind, summed over the instance's partitions",
        p -> p.lag.values().stream().mapToLong(Long::longValue).sum());
    gauge(
        "pipekeeper.pipeline.assigned",
        "Partitions or work units the instance works on now",
        p -> p.partitions().size() + p.units().size());
    gauge(
        "pipekeeper.pipeline.running",
        "1 while the instance runs (not paused, failed or closed)",
        p -> p.state() == State.RUNNING ? 1 : 0);
    if (settings.mode() == Mode.SINGLETON) {
      gauge(
          "pipekeeper.pipeline.leader",
          "1 while this instance leads the singleton pipeline",
          p -> p.leaseEpoch() > 0 ? 1 : 0);
      gauge(
          "pipekeeper.pipeline.epoch",
          "The epoch of the lease this instance leads under, or 0",
          BasePipeline::leaseEpoch);
    }
    health =
        settings
            .pipekeeper()
            .health()
            .publish(name(), settings.healthInterval(), this::healthReport);
  }

  /** This instance's health now, rated against the report before (on the health thread). */
  private HealthReport healthReport() {
    HealthSample now =
        new HealthSample(System.nanoTime(), processed.get(), handler.emitted(), handler.errors());
    HealthSample before = lastSample == null ? now : lastSample;
    lastSample = now;
    double seconds = Math.max(1e-9, (now.at() - before.at()) / 1e9);
    if (now.processed() != before.processed()) {
      lastProgress = Instant.now();
    }
    Map<String, Integer> applied = new TreeMap<>();
    config.appliedVersions().forEach((scope, version) -> applied.put(scope.path(), version));
    return new HealthReport(
        name(),
        memberId,
        state().name(),
        now.processed(),
        before == now ? 0 : (now.processed() - before.processed()) / seconds,
        before == now ? 0 : (now.emitted() - before.emitted()) / seconds,
        now.errors(),
        before == now ? 0 : (now.errors() - before.errors()) / seconds,
        lastProgress,
        lag,
        applied,
        List.copyOf(config.lastKnownGoodKeys()),
        Instant.now());
  }

  /**
   * On the pipeline thread, after a poll: samples the lag of each assigned partition, at most once
   * a second. A consuming consumer knows it from its fetches; a paused one fetches nothing, so its
   * lag is asked of the broker (the end offsets).
   */
  final void sampleLag(KafkaConsumer<byte[], byte[]> consumer, boolean paused) {
    long now = System.nanoTime();
    if (now - lagSampledAt < LAG_SAMPLE_NANOS) {
      return;
    }
    lagSampledAt = now;
    Set<TopicPartition> assigned = consumer.assignment();
    Map<String, Long> sample = new TreeMap<>();
    if (paused && !assigned.isEmpty()) {
      Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, LAG_QUERY_TIMEOUT);
      for (TopicPartition partition : assigned) {
        sample.put(
            partition.toString(), Math.max(0, ends.get(partition) - consumer.position(partition)));
      }
    } else {
      for (TopicPartition partition : assigned) {
        consumer.currentLag(partition).ifPresent(l -> sample.put(partition.toString(), l));
      }
    }
    lag = sample;
  }

  private static final Duration LAG_QUERY_TIMEOUT = Duration.ofSeconds(5);

  /** Forgets the lag of partitions this instance no longer consumes (e.g. at the end of a term). */
  final void clearLag() {
    lag = Map.of();
  }

  /**
   * Whether the live configuration asks the pipeline to pause now ({@link PipelineKeys#PAUSED}).
   */
  final boolean pauseWanted() {
    return paused.get();
  }

  /**
   * Says whether the instance has stopped taking input: RUNNING ⇄ PAUSED (FAILED and CLOSED stay),
   * with one line per change. Called by the mode once its input has stopped or started again, so
   * that PAUSED means nothing more is taken in; calling it again with the same value does nothing.
   */
  final void reportPaused(boolean paused) {
    boolean changed =
        paused
            ? state.compareAndSet(State.RUNNING, State.PAUSED)
            : state.compareAndSet(State.PAUSED, State.RUNNING);
    if (changed) {
      LoggerFactory.getLogger(getClass())
          .info("pipeline {} {} by configuration", name(), paused ? "paused" : "resumed");
    }
  }

  /**
   * Applies {@link PipelineKeys#PAUSED} to a consumer before its next poll: pauses every assigned
   * partition, or resumes the paused ones, then {@link #reportPaused reports} it. Returns whether
   * the pipeline is to be paused.
   */
  final boolean followPause(KafkaConsumer<byte[], byte[]> consumer) {
    boolean wanted = pauseWanted();
    if (wanted) {
      Set<TopicPartition> assigned = consumer.assignment();
      if (!consumer.paused().containsAll(assigned)) {
        consumer.pause(assigned);
      }
    } else {
      Set<TopicPartition> paused = consumer.paused();
      if (!paused.isEmpty()) {
        consumer.resume(paused);
      }
    }
    reportPaused(wanted);
    return wanted;
  }

  /** The epoch of the lease this instance leads under now, 0 if none (SINGLETON only). */
  long leaseEpoch() {
    return 0;
  }

  private void gauge(
      String name, String description, ToDoubleFunction<BasePipeline<KI, VI, KO, VO>> value) {
    meters.add(
        Gauge.builder(name, this, value)
            .description(description)
            .tags("pipeline", name(), "mode", settings.mode().name())
            .register(settings.metrics()));
  }

  private <T> void recordsCounter(String outcome, T source, ToDoubleFunction<T> count) {
    meters.add(
        FunctionCounter.builder("pipekeeper.pipeline.records", source, count)
            .description("Input records of the pipeline by outcome")
            .tags("pipeline", name(), "mode", settings.mode().name(), "outcome", outcome)
            .register(settings.metrics()));
  }

  /**
   * Whether this call is the first close (CLOSED is set either way). The first close removes the
   * pipeline's meters and health record.
   */
  final boolean beginClose() {
    boolean first = state.getAndSet(State.CLOSED) != State.CLOSED;
    if (first) {
      releaseShared();
    }
    return first;
  }

  /**
   * The first steps of every start: CREATED → RUNNING, {@link #open}, then the mode's own {@code
   * acquire}; if any of them throws, the mode's {@code release} and this instance's shared parts
   * are released, it turns FAILED, and the error is thrown on.
   */
  final void startOrRelease(Runnable acquire, Runnable release) {
    beginStart();
    try {
      open();
      acquire.run();
    } catch (RuntimeException e) {
      release.run();
      RuntimeException named = named(e, transactionalId());
      failStart(named);
      throw named;
    }
  }

  /** A start that failed half-way: FAILED, and what {@link #open} opened is released. */
  private void failStart(RuntimeException cause) {
    failed(cause);
    releaseShared();
  }

  /** Turns FAILED because of {@code cause}, which {@link #failure()} gives from now on. */
  final void failed(RuntimeException cause) {
    failure = cause;
    state.set(State.FAILED);
  }

  /**
   * The {@code transactional.id} of this instance's producer (PARALLEL's and SINGLETON's, with
   * EXACTLY_ONCE), null if it has none; a SHARDED unit's producer has its own.
   */
  String transactionalId() {
    return null;
  }

  /**
   * {@code error} as a {@link KafkaNotAuthorizedException} naming the refused resource if it is (or
   * holds) a Kafka authorization error ({@link KafkaRefusals}), else as it is.
   *
   * @param transactionalId the id of the producer involved, or null
   */
  final RuntimeException named(RuntimeException error, String transactionalId) {
    return KafkaRefusals.of(error, settings, transactionalId)
        .<RuntimeException>map(refused -> refused)
        .orElse(error);
  }

  /**
   * The pipeline thread stopped on {@code error}: FAILED, with one line, a refusal by Kafka's
   * authorizer named without a stack trace (an expected condition), anything else with it.
   */
  final void stoppedBy(RuntimeException error) {
    RuntimeException named = named(error, transactionalId());
    org.slf4j.Logger log = LoggerFactory.getLogger(getClass());
    if (named instanceof KafkaNotAuthorizedException) {
      log.error("{}; stopped", named.getMessage());
    } else {
      log.error("pipeline {}: stopped by an unexpected error: {}", name(), error.toString(), error);
    }
    failed(named);
  }

  private void releaseShared() {
    meters.forEach(settings.metrics()::remove);
    if (health != null) {
      health.close();
    }
  }

  /** Starts the pipeline's own thread on {@code loop} and says the pipeline started. */
  final Thread startLoop(Runnable loop) {
    Thread thread = new Thread(loop, "pipekeeper-pipeline-" + name());
    thread.setDaemon(true);
    thread.start();
    logStarted();
    return thread;
  }

  /** The one line that says an instance started. */
  final void logStarted() {
    LoggerFactory.getLogger(getClass())
        .info(
            "pipeline {} started as {} ({}, {}, {})",
            name(),
            memberId,
            settings.mode(),
            settings.guarantee(),
            settings.mode() == Mode.SHARDED
                ? "units of group " + name()
                : "topics " + settings.topics());
  }

  /** Waits, within the close timeout, for the pipeline thread to have stopped. */
  final void awaitStopped(CountDownLatch stopped) {
    try {
      if (!stopped.await(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LoggerFactory.getLogger(getClass())
            .warn(
                "pipeline {} did not stop within {} ms",
                name(),
                settings.closeTimeout().toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public final String name() {
    return settings.name();
  }

  @Override
  public final State state() {
    return state.get();
  }

  @Override
  public final Optional<RuntimeException> failure() {
    return state() == State.FAILED ? Optional.ofNullable(failure) : Optional.empty();
  }

  @Override
  public final long processed() {
    return processed.get();
  }

  @Override
  public final long deadLettered() {
    return handler == null ? 0 : handler.deadLettered();
  }

  // ---- the batch transaction ----

  /**
   * Commits one batch through {@link BatchTransaction#commit} after reading the batch's live
   * settings ({@link RecordHandler#newBatch}); see there for what it throws, but for a refusal by
   * Kafka's authorizer, which is not retried: it is thrown as the {@link
   * KafkaNotAuthorizedException} that names the resource.
   *
   * <p>With AT_LEAST_ONCE a send that failed ({@code sends}, the callback of every send of the
   * batch) fails the batch after the flush, before its progress is committed: a producer reports it
   * through the callback only.
   *
   * @param transactionalId {@code producer}'s id, or null if it has none
   */
  final void commitBatch(
      Producer<byte[], byte[]> producer,
      String transactionalId,
      SendErrors sends,
      BooleanSupplier owned,
      Supplier<BatchTransaction.Progress> batch) {
    handler.newBatch();
    sends.clear();
    Supplier<BatchTransaction.Progress> checked =
        () -> {
          BatchTransaction.Progress progress = batch.get();
          return new BatchTransaction.Progress() {
            @Override
            public void sendInTransaction(Producer<byte[], byte[]> producer) {
              progress.sendInTransaction(producer); // a failed send fails the commit
            }

            @Override
            public void commitAfterFlush() {
              sends.throwIfAny();
              progress.commitAfterFlush();
            }
          };
        };
    try {
      BatchTransaction.commit(settings.transactional(), producer, owned, checked);
    } catch (KafkaException e) {
      Optional<KafkaNotAuthorizedException> refused =
          KafkaRefusals.of(e, settings, transactionalId);
      if (refused.isPresent()) {
        throw refused.get();
      }
      throw e;
    }
  }

  /** Aborts the batch's open transaction (EXACTLY_ONCE; nothing to do with AT_LEAST_ONCE). */
  final void abortBatch(Producer<byte[], byte[]> producer) {
    BatchTransaction.abort(settings.transactional(), producer);
  }

  /**
   * Handles a poll's records under {@code role}, partition by partition (the order they come in
   * anyway), {@linkplain BatchTransaction#checkOwned checking ownership} before each record, and
   * returns the offsets to commit after them: known once per partition, not looked up per record.
   */
  final Map<TopicPartition, OffsetAndMetadata> handleAll(
      ConsumerRecords<byte[], byte[]> records,
      Producer<byte[], byte[]> producer,
      SendErrors sends,
      Role role,
      BooleanSupplier owned) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> ofPartition = records.records(partition);
      if (ofPartition.isEmpty()) {
        continue;
      }
      for (ConsumerRecord<byte[], byte[]> record : ofPartition) {
        BatchTransaction.checkOwned(owned);
        handler.handle(record, producer, sends, role);
      }
      offsets.put(
          partition, new OffsetAndMetadata(ofPartition.get(ofPartition.size() - 1).offset() + 1));
    }
    return offsets;
  }

  /**
   * The loop ended on a wakeup outside {@code poll}: close() woke a blocking call in the middle of
   * a batch or its rewind, which is a stop, not an error, unless the loop was still meant to run.
   */
  final void stoppedByWakeup(boolean running) {
    org.slf4j.Logger log = LoggerFactory.getLogger(getClass());
    if (running) {
      log.error("pipeline {}: woken while not closing, stopping", name());
      failed(new IllegalStateException("pipeline " + name() + ": woken while not closing"));
    } else {
      log.info("pipeline {}: stopped in the middle of a batch, which was not committed", name());
    }
  }

  /**
   * Seeks every assigned partition to the pipeline's committed offset (or its beginning), trying
   * for as long as {@code wanted} holds: the committed offsets are fetched in steps of {@link
   * #COMMITTED_STEP}, a step that timed out tried again while it holds (they stay unstable while an
   * earlier term's transaction is being ended, and after a broker restart while its group
   * coordinator loads them), so a lease that ends meanwhile ends the wait, and a wait that only
   * took long does not fail the pipeline.
   *
   * @throws org.apache.kafka.common.errors.TimeoutException once {@code wanted} no longer holds
   */
  static void rewindToCommitted(KafkaConsumer<byte[], byte[]> consumer, BooleanSupplier wanted) {
    while (true) {
      try {
        seekTo(consumer, consumer.committed(consumer.assignment(), COMMITTED_STEP));
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (!wanted.getAsBoolean()) {
          throw e;
        }
      }
    }
  }

  private static void seekTo(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> committed) {
    Set<TopicPartition> assigned = consumer.assignment();
    List<TopicPartition> fromStart = new ArrayList<>();
    for (TopicPartition partition : assigned) {
      OffsetAndMetadata offset = committed.get(partition);
      if (offset != null) {
        consumer.seek(partition, offset);
      } else {
        fromStart.add(partition);
      }
    }
    if (!fromStart.isEmpty()) {
      consumer.seekToBeginning(fromStart);
    }
  }
}
