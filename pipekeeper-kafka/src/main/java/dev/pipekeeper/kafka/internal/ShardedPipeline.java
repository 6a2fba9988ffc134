package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.kafka.KafkaNotAuthorizedException;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineKeys;
import dev.pipekeeper.kafka.SourceBatch;
import dev.pipekeeper.kafka.WorkUnitSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SHARDED pipeline instance: a {@link GroupWorker} in the group named after the pipeline, whose
 * every owned unit runs on a thread of its own with its own {@link WorkUnitSource} and a producer
 * whose transactional id is the unit's ({@code pipekeeper-NAME:unit:UNIT}, {@link KafkaNames}), so
 * the unit's next owner fences this one in Kafka when it starts. A unit's output and its new
 * position (in the positions topic, keyed by unit) are committed in one transaction; a new owner
 * reads the last committed position and resumes there. Source records are serialized with the input
 * serdes and then go through the same record handling as consumed ones (retries, dead letters).
 *
 * <p>{@link PipelineKeys#PAUSED} is followed between batches: a paused unit keeps its ownership and
 * its position and polls its source no more until the pipeline resumes; the instance says PAUSED
 * once every unit it owns has stopped (at once if it owns none).
 */
public final class ShardedPipeline<KI, VI, KO, VO> extends BasePipeline<KI, VI, KO, VO> {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedPipeline.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final Map<String, UnitRunner> runners = new ConcurrentHashMap<>();
  private final Object pauseReport = new Object();
  private GroupWorker worker;

  /** Made by {@code PipelineBuilder.build()}, which validated the settings. */
  public ShardedPipeline(PipelineSettings<KI, VI, KO, VO> settings) {
    super(settings);
  }

  @Override
  public synchronized Pipeline start() {
    startOrRelease(
        () -> {
          config.onChange(PipelineKeys.PAUSED.name(), (before, after) -> reportPause());
          worker =
              settings.pipekeeper().worker(name(), MemberInfo.defaults().id(memberId), new Units());
          reportPause();
        },
        this::release);
    logStarted();
    return this;
  }

  /** The worker's handler: a runner thread per owned unit. */
  private final class Units implements UnitHandler {
    @Override
    public void start(UnitOwnership unit) {
      UnitRunner runner = new UnitRunner(unit);
      runners.put(unit.unit(), runner);
      runner.thread.start();
    }

    @Override
    public void stop(UnitOwnership unit) {
      UnitRunner runner = runners.remove(unit.unit());
      if (runner != null) {
        runner.stop();
      }
    }
  }

  /**
   * PAUSED once the configuration asks for it and every owned unit has stopped, RUNNING otherwise.
   * Called whenever a unit pauses, resumes or ends and when the key changes; under one lock, so
   * that the last call, which sees every unit's own mark, is the one that stands.
   */
  private void reportPause() {
    synchronized (pauseReport) {
      reportPaused(pauseWanted() && runners.values().stream().allMatch(r -> r.paused));
    }
  }

  /** One owned unit's loop: poll the source, process, commit output and position together. */
  private final class UnitRunner {
    final UnitOwnership unit;
    final Thread thread;
    volatile boolean stopping;
    volatile boolean paused;
    private final BooleanSupplier owned = this::mayWork;
    private final SendErrors sends = new SendErrors();
    private long sequence; // of the records made from the source's, on the unit's thread

    UnitRunner(UnitOwnership unit) {
      this.unit = unit;
      this.thread = new Thread(this::run, "pipekeeper-pipeline-" + name() + "-" + unit.unit());
      this.thread.setDaemon(true);
    }

    void stop() {
      stopping = true;
      LockSupport.unpark(thread); // a paused unit waits in park
      try {
        thread.join(); // the worker bounds how long it waits for this stop
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private boolean mayWork() {
      return !stopping && unit.isValid();
    }

    /**
     * The unit's thread. A term of one producer after another: when Kafka fences the unit's
     * producer while this instance still owns the unit in ZooKeeper, the one that fenced it is a
     * stale task (an earlier owner's, or this instance's own from a generation whose stop timed out
     * and whose start had been blocked), so the unit fences it back with a new producer and reads
     * its position again, rather than leave the unit it owns unprocessed.
     */
    private void run() {
      String transactionalId =
          settings.transactional() ? KafkaNames.unitTransactionalId(name(), unit.unit()) : null;
      WorkUnitSource<KI, VI> source = null;
      try {
        source = settings.sources().apply(unit.unit());
        while (mayWork() && term(source, transactionalId)) {
          LOG.warn(
              "pipeline {}: unit {}'s producer was fenced while {} owns it; fencing back the task"
                  + " that did it",
              name(),
              unit.unit(),
              memberId);
        }
      } catch (RuntimeException e) {
        RuntimeException named = named(e, transactionalId);
        if (named instanceof KafkaNotAuthorizedException) {
          // Every unit of the pipeline needs the same ACLs: the instance cannot do its work.
          LOG.error("{}; unit {} stopped", named.getMessage(), unit.unit());
          failed(named);
        } else {
          LOG.error("pipeline {}: unit {} stopped: {}", name(), unit.unit(), e.toString(), e);
        }
      } finally {
        if (source != null) {
          try {
            source.close();
          } catch (Exception e) {
            LOG.warn(
                "pipeline {}: closing the source of {} failed: {}",
                name(),
                unit.unit(),
                e.toString());
          }
        }
        paused = true; // takes no more input: the instance's state no longer waits for this unit
        reportPause();
      }
    }

    /**
     * One producer's term: fence the unit's previous producer, read the position, and process until
     * the unit is stopped or lost; returns true when the producer was fenced in turn.
     */
    private boolean term(WorkUnitSource<KI, VI> source, String transactionalId) {
      KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              ClientProperties.producer(settings, memberId, transactionalId),
              new ByteArraySerializer(),
              new ByteArraySerializer());
      try {
        if (transactionalId != null) {
          producer.initTransactions(); // fences the unit's previous owner
          if (!mayWork()) {
            return false; // stopped or lost while that took
          }
        }
        Optional<String> position = readPosition();
        LOG.info(
            "pipeline {}: unit {} runs on {} from position {}",
            name(),
            unit.unit(),
            memberId,
            position.orElse("(start)"));
        Role role = Role.owner(unit);
        while (mayWork()) {
          if (pauseWanted() != paused) {
            paused = !paused;
            reportPause();
          }
          if (paused) {
            LockSupport.parkNanos(POLL.toNanos()); // reads no input; looks at the key again
            continue;
          }
          SourceBatch<KI, VI> batch = source.poll(position, POLL);
          if (batch.records().isEmpty()) {
            continue;
          }
          try {
            commitBatch(
                producer,
                transactionalId,
                sends,
                owned,
                () -> {
                  for (Map.Entry<KI, VI> entry : batch.records()) {
                    BatchTransaction.checkOwned(owned);
                    handler.handle(asRecord(entry, sequence++), producer, sends, role);
                  }
                  // The unit's position is output of the batch's transaction.
                  producer.send(
                      new ProducerRecord<>(
                          settings.positionsTopic(),
                          RecordHandler.bytes(unit.unit()),
                          RecordHandler.bytes(batch.position())),
                      sends);
                  return BatchTransaction.WITH_OUTPUT;
                });
            position = Optional.of(batch.position());
            processed.addAndGet(batch.records().size());
          } catch (OwnershipEnded ended) {
            abortBatch(producer); // the loop ends: the unit was stopped or its ownership lost
          } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
            throw fenced;
          } catch (KafkaException e) {
            if (mayWork()) {
              LOG.warn(
                  "pipeline {}: batch of unit {} not committed, reading it again: {}",
                  name(),
                  unit.unit(),
                  e.toString());
            }
          }
        }
        return false;
      } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
        if (mayWork()) {
          return true;
        }
        LOG.info("pipeline {}: unit {} fenced by its new owner", name(), unit.unit());
        return false;
      } finally {
        // Closing a transactional producer aborts a transaction still open.
        producer.close(Duration.ZERO);
      }
    }

    private ConsumerRecord<byte[], byte[]> asRecord(Map.Entry<KI, VI> entry, long sequence) {
      byte[] key =
          entry.getKey() == null
              ? null
              : settings.keyIn().serializer().serialize(unit.unit(), entry.getKey());
      byte[] value =
          entry.getValue() == null
              ? null
              : settings.valueIn().serializer().serialize(unit.unit(), entry.getValue());
      return new ConsumerRecord<>(unit.unit(), 0, sequence, key, value);
    }

    /** The unit's last committed position: the last value for its key in the positions topic. */
    private Optional<String> readPosition() {
      String found = null;
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(
              ClientProperties.reader(settings),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer
            .partitionsFor(settings.positionsTopic())
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            if (record.key() != null
                && unit.unit()
                    .equals(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8))) {
              found =
                  record.value() == null
                      ? null
                      : new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
            }
          }
        }
      }
      return Optional.ofNullable(found);
    }
  }

  // ---- lifecycle ----

  /** A SHARDED pipeline consumes no Kafka partitions: its input comes from its units' sources. */
  @Override
  public Set<TopicPartition> partitions() {
    return Set.of();
  }

  @Override
  public Set<String> units() {
    return Set.copyOf(runners.keySet());
  }

  @Override
  public void close() {
    if (!beginClose()) {
      return;
    }
    release();
    LOG.info("pipeline {} closed after {} records", name(), processed.get());
  }

  private void release() {
    if (worker != null) {
      worker.close(); // stops every unit, then gives their ownership up
    }
    if (config != null) {
      config.close();
    }
  }
}
