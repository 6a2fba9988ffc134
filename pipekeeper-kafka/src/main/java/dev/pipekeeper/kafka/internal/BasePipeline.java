package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

/** What every mode shares: settings, the state machine, counters, live config, record handling. */
abstract class BasePipeline<KI, VI, KO, VO> implements Pipeline {
  final PipelineBuilder<KI, VI, KO, VO> settings;
  final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  final AtomicLong processed = new AtomicLong();
  final String memberId;
  ConfigView config;
  RecordHandler<KI, VI, KO, VO> handler;

  BasePipeline(PipelineBuilder<KI, VI, KO, VO> settings) {
    this.settings = settings;
    this.memberId = settings.pipekeeper().identity();
  }

  /**
   * Moves CREATED → RUNNING.
   *
   * @throws IllegalStateException if started before or closed
   */
  final void beginStart() {
    if (!state.compareAndSet(State.CREATED, State.RUNNING)) {
      throw new IllegalStateException("pipeline " + name() + " was started before or is closed");
    }
  }

  /** Opens the live configuration and the record handling (the first steps of every start). */
  final void openConfig() {
    config = settings.pipekeeper().config().view(name(), memberId);
    handler = new RecordHandler<>(settings, memberId, config);
  }

  /** Whether this call is the first close (CLOSED is set either way). */
  final boolean beginClose() {
    return state.getAndSet(State.CLOSED) != State.CLOSED;
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
  public final long processed() {
    return processed.get();
  }

  @Override
  public final long deadLettered() {
    return handler == null ? 0 : handler.deadLettered();
  }

  /**
   * The offset to commit after {@code records}, the non-empty records of one partition in order.
   */
  static OffsetAndMetadata nextOffset(List<ConsumerRecord<byte[], byte[]>> records) {
    return new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1);
  }

  /** Seeks every assigned partition to the pipeline's committed offset (or its beginning). */
  static void rewindToCommitted(KafkaConsumer<byte[], byte[]> consumer) {
    Set<TopicPartition> assigned = consumer.assignment();
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
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
