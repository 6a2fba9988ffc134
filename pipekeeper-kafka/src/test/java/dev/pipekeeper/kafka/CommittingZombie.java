package dev.pipekeeper.kafka;

import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.kafka.internal.KafkaNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A SINGLETON pipeline's old leader that does not know its term is over: on a thread of its own it
 * consumes the input as the pipeline does (every partition assigned, from the pipeline group's
 * committed offsets, read_committed) and commits one transaction after another, each of a few
 * upper-cased records of one partition (the partitions in turn) and their offsets, with the
 * pipeline's own {@code transactional.id}, until Kafka fences it. Then it tries {@value
 * #ATTEMPTS_AFTER_FENCE} more transactions with the same producer, as a zombie would, and stops.
 * Its output carries no epoch header.
 */
final class CommittingZombie implements AutoCloseable {
  /** The transactions it tries after it was fenced. */
  static final int ATTEMPTS_AFTER_FENCE = 3;

  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration CLOSE_BOUND = Duration.ofSeconds(30);

  private final KafkaConsumer<String, String> consumer;
  private final KafkaProducer<String, String> producer;
  private final String out;
  private final List<TopicPartition> partitions = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  private final List<String> committedValues = new CopyOnWriteArrayList<>();
  private final Map<TopicPartition, Long> committedOffsets = new ConcurrentHashMap<>();
  private final AtomicInteger commits = new AtomicInteger();
  private final List<Exception> failedAfterFence = new CopyOnWriteArrayList<>();
  private final List<String> committedAfterFence = new CopyOnWriteArrayList<>();
  private volatile RuntimeException fence;
  private volatile List<String> abortedValues = List.of();
  private volatile RuntimeException unexpected;
  private volatile boolean done;

  /**
   * Starts the old leader of pipeline {@code pipeline}, reading {@code in}, writing {@code out}, at
   * most {@code perTransaction} records per transaction; its producer is initialized before this
   * returns.
   */
  static CommittingZombie start(
      TestCluster cluster, String pipeline, String in, String out, int perTransaction) {
    return new CommittingZombie(cluster, pipeline, in, out, perTransaction);
  }

  private CommittingZombie(
      TestCluster cluster, String pipeline, String in, String out, int perTransaction) {
    this.out = out;
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, pipeline); // a pipeline's group is its name
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, perTransaction);
    consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    producerProps.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaNames.singletonTransactionalId(pipeline));
    producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
    consumer.partitionsFor(in).forEach(p -> partitions.add(new TopicPartition(in, p.partition())));
    consumer.assign(partitions);
    consumer
        .committed(Set.copyOf(partitions))
        .forEach(
            (partition, offset) -> {
              if (offset != null) {
                consumer.seek(partition, offset); // else from the beginning
              }
            });
    producer.initTransactions();
    thread = new Thread(this::loop, "committing-zombie-" + pipeline);
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running && fence == null) {
        ConsumerRecords<String, String> records = poll(commits.get());
        if (records.isEmpty()) {
          continue;
        }
        try {
          commit(records);
          records.forEach(r -> committedValues.add(r.value().toUpperCase(Locale.ROOT)));
          next(records)
              .forEach((partition, offset) -> committedOffsets.put(partition, offset.offset()));
          commits.incrementAndGet();
        } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
          List<String> aborted = new ArrayList<>();
          records.forEach(r -> aborted.add(r.value().toUpperCase(Locale.ROOT)));
          abortedValues = List.copyOf(aborted);
          fence = fenced;
          for (int i = 0; i < ATTEMPTS_AFTER_FENCE; i++) {
            try {
              commit(records); // as if the failure were passing
              records.forEach(r -> committedAfterFence.add(r.value()));
            } catch (RuntimeException refused) {
              failedAfterFence.add(refused);
            }
          }
        }
      }
    } catch (RuntimeException e) {
      unexpected = e;
    } finally {
      done = true;
    }
  }

  /**
   * The next records of one partition, each transaction's of the next partition in turn: so that
   * the zombie commits progress in every partition (one poll would return one partition's for a
   * long time).
   */
  private ConsumerRecords<String, String> poll(int transaction) {
    TopicPartition turn = partitions.get(transaction % partitions.size());
    List<TopicPartition> others = new ArrayList<>(partitions);
    others.remove(turn);
    consumer.pause(others);
    consumer.resume(List.of(turn));
    ConsumerRecords<String, String> records = consumer.poll(POLL);
    if (records.isEmpty()) {
      consumer.resume(partitions); // this partition is consumed to its end
      records = consumer.poll(POLL);
    }
    return records;
  }

  /** One transaction: the records upper-cased, and the offsets after them. */
  private void commit(ConsumerRecords<String, String> records) {
    producer.beginTransaction();
    for (ConsumerRecord<String, String> record : records) {
      producer.send(
          new ProducerRecord<>(out, record.key(), record.value().toUpperCase(Locale.ROOT)));
    }
    producer.sendOffsetsToTransaction(next(records), consumer.groupMetadata());
    producer.commitTransaction();
  }

  private static Map<TopicPartition, OffsetAndMetadata> next(
      ConsumerRecords<String, String> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<String, String>> of = records.records(partition);
      offsets.put(partition, new OffsetAndMetadata(of.get(of.size() - 1).offset() + 1));
    }
    return offsets;
  }

  /** The transactions committed. */
  int commits() {
    return commits.get();
  }

  /** The output values of the committed transactions, in commit order. */
  List<String> committedValues() {
    return List.copyOf(committedValues);
  }

  /** Per input partition, the offset after the last committed transaction's last record. */
  Map<TopicPartition, Long> committedOffsets() {
    return Map.copyOf(committedOffsets);
  }

  /** What fenced it (null while it commits). */
  RuntimeException fence() {
    return fence;
  }

  /** The output values of the transaction under way when it was fenced. */
  List<String> abortedValues() {
    return abortedValues;
  }

  /** What each transaction after the fence failed with. */
  List<Exception> failedAfterFence() {
    return List.copyOf(failedAfterFence);
  }

  /** The values of transactions that committed after the fence (none, if fencing holds). */
  List<String> committedAfterFence() {
    return List.copyOf(committedAfterFence);
  }

  /** An error other than the fence that stopped it, or null. */
  RuntimeException unexpected() {
    return unexpected;
  }

  /** Whether its thread is done: fenced and its attempts after made, or stopped by an error. */
  boolean done() {
    return done;
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(CLOSE_BOUND.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ZERO);
    consumer.close();
  }
}
