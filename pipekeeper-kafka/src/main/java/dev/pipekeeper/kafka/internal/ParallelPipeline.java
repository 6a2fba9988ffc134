package dev.pipekeeper.kafka.internal;

import static dev.pipekeeper.kafka.internal.BatchTransaction.ALWAYS_OWNED;

import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Pipeline;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PARALLEL pipeline instance: one consumer in the Kafka group named after the pipeline
 * (cooperative-sticky assignment) and one producer, driven by one thread. Records are consumed as
 * bytes and deserialized here, so a record that cannot be deserialized is dead-lettered like one
 * whose processing throws. Each poll's batch is one unit of commit: with EXACTLY_ONCE a transaction
 * holding its output and its offsets; with AT_LEAST_ONCE a flush, then the offsets. Batches are
 * committed before the next poll, so partitions are only ever revoked between batches.
 */
public final class ParallelPipeline<KI, VI, KO, VO> extends BasePipeline<KI, VI, KO, VO> {
  private static final Logger LOG = LoggerFactory.getLogger(ParallelPipeline.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Set<TopicPartition> partitions = ConcurrentHashMap.newKeySet();
  private final SendErrors sends = new SendErrors();
  private volatile boolean running;
  private Member member;
  private KafkaConsumer<byte[], byte[]> consumer;
  private KafkaProducer<byte[], byte[]> producer;
  private Thread thread;
  private boolean paused;

  /** Made by {@code PipelineBuilder.build()}, which validated the settings. */
  public ParallelPipeline(PipelineSettings<KI, VI, KO, VO> settings) {
    super(settings);
  }

  @Override
  public synchronized Pipeline start() {
    startOrRelease(
        () -> {
          member =
              settings.pipekeeper().membership().join(name(), MemberInfo.defaults().id(memberId));
          consumer =
              new KafkaConsumer<>(
                  ClientProperties.consumer(settings, memberId),
                  new ByteArrayDeserializer(),
                  new ByteArrayDeserializer());
          producer =
              new KafkaProducer<>(
                  ClientProperties.producer(settings, memberId, transactionalId()),
                  new ByteArraySerializer(),
                  new ByteArraySerializer());
          if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
            producer.initTransactions();
          }
          consumer.subscribe(settings.topics(), new Rebalances());
        },
        this::releaseAll);
    running = true;
    thread = startLoop(this::loop);
    return this;
  }

  /**
   * One transactional id per instance; the consumer group metadata sent with the offsets fences a
   * zombie of a former generation (KIP-447).
   */
  @Override
  String transactionalId() {
    return settings.transactional() ? KafkaNames.memberTransactionalId(name(), memberId) : null;
  }

  // ---- the pipeline thread ----

  private void loop() {
    try {
      while (running) {
        paused = followPause(consumer);
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException woken) {
          continue; // close() asks the loop to look at `running`
        }
        sampleLag(consumer, paused);
        if (!records.isEmpty()) {
          processBatch(records);
        }
      }
    } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
      LOG.error(
          "pipeline {}: fenced by a newer instance, stopping: {}", name(), fenced.getMessage());
      failed(fenced);
    } catch (WakeupException woken) {
      stoppedByWakeup(running);
    } catch (RuntimeException e) {
      stoppedBy(e);
    } finally {
      closeClients();
      stopped.countDown();
    }
  }

  private void processBatch(ConsumerRecords<byte[], byte[]> records) {
    try {
      commitBatch(
          producer,
          transactionalId(),
          sends,
          ALWAYS_OWNED,
          () ->
              BatchTransaction.offsets(
                  consumer, handleAll(records, producer, sends, Role.member(), ALWAYS_OWNED)));
      processed.addAndGet(records.count());
    } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
      throw fenced;
    } catch (CommitFailedException | RebalanceInProgressException rebalanced) {
      // the group rebalanced during the batch: expected whenever members come and go
      LOG.info(
          "pipeline {}: the group rebalanced during a batch of {} records; consuming it again",
          name(),
          records.count());
      rewindToCommitted(consumer, () -> running);
    } catch (KafkaException e) {
      LOG.warn(
          "pipeline {}: batch of {} records not committed, consuming it again: {}",
          name(),
          records.count(),
          e.toString());
      rewindToCommitted(consumer, () -> running);
    }
  }

  /** Logs partition moves; a paused pipeline keeps newly assigned partitions paused. */
  private final class Rebalances implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        LOG.info("pipeline {}: partitions revoked {}", name(), partitions);
      }
      ParallelPipeline.this.partitions.removeAll(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      ParallelPipeline.this.partitions.addAll(partitions);
      if (!partitions.isEmpty()) {
        LOG.info("pipeline {}: partitions assigned {}", name(), partitions);
        if (paused) {
          consumer.pause(partitions);
        }
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      LOG.warn("pipeline {}: partitions lost {}", name(), partitions);
      ParallelPipeline.this.partitions.removeAll(partitions);
    }
  }

  // ---- lifecycle ----

  @Override
  public Set<TopicPartition> partitions() {
    return Set.copyOf(partitions);
  }

  @Override
  public void close() {
    if (!beginClose()) {
      return;
    }
    if (thread != null) {
      running = false;
      consumer.wakeup();
      awaitStopped(stopped);
    }
    releaseAll();
    LOG.info("pipeline {} closed after {} records", name(), processed.get());
  }

  /** On the pipeline thread at its end: the consumer leaves the group, the producer closes. */
  private void closeClients() {
    Duration bound = settings.closeTimeout().dividedBy(2);
    try {
      consumer.close(CloseOptions.timeout(bound)); // leaves the group
    } catch (RuntimeException e) {
      LOG.warn("pipeline {}: closing the consumer failed: {}", name(), e.toString());
    }
    try {
      producer.close(bound);
    } catch (RuntimeException e) {
      LOG.warn("pipeline {}: closing the producer failed: {}", name(), e.toString());
    }
  }

  /** The ZooKeeper side, and the clients if the thread never ran. */
  private void releaseAll() {
    if (thread == null) {
      if (consumer != null) {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
      }
      if (producer != null) {
        producer.close(Duration.ZERO);
      }
    }
    if (config != null) {
      config.close();
    }
    if (member != null) {
      member.close();
    }
  }
}
