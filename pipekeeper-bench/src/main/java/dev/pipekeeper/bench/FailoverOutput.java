package dev.pipekeeper.bench;

import static dev.pipekeeper.bench.SingletonFailoverBench.EPOCH;
import static dev.pipekeeper.bench.SingletonFailoverBench.OUTPUT;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How {@link SingletonFailoverBench} reads its output topic: tailed live (when each term's first
 * record arrived) and read again whole at the end (duplicates and gaps), both read_committed.
 */
final class FailoverOutput {
  private FailoverOutput() {}

  /**
   * A read_committed consumer that tails the output topic on a thread of its own and notes when
   * each term's first record arrived, and which member wrote the newest.
   */
  static final class OutputTail implements AutoCloseable {
    /** One output record as seen: its term, its writer and when it arrived. */
    record Seen(long epoch, String member, long nanos) {}

    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final Map<Long, Seen> firstOfTerm = new TreeMap<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private Seen newest;
    private volatile boolean running = true;
    private RuntimeException failure;

    private OutputTail(KafkaConsumer<String, String> consumer) {
      this.consumer = consumer;
      this.thread = new Thread(this::loop, "bench-output-tail");
      thread.setDaemon(true);
    }

    static OutputTail start(String bootstrap) {
      OutputTail tail = new OutputTail(new KafkaConsumer<>(readCommitted(bootstrap, 50)));
      TopicPartition partition = new TopicPartition(OUTPUT, 0);
      tail.consumer.assign(List.of(partition));
      tail.consumer.seekToBeginning(List.of(partition));
      tail.thread.start();
      return tail;
    }

    private void loop() {
      try {
        while (running) {
          var records = consumer.poll(Duration.ofMillis(100));
          long now = System.nanoTime();
          if (records.isEmpty()) {
            continue;
          }
          synchronized (this) {
            for (ConsumerRecord<String, String> record : records) {
              Seen seen = new Seen(epoch(record), member(record.value()), now);
              firstOfTerm.putIfAbsent(seen.epoch(), seen);
              counts.merge(sequence(record.value()), 1, Integer::sum);
              newest = seen;
            }
            notifyAll();
          }
        }
      } catch (WakeupException woken) {
        // closing
      } catch (RuntimeException e) {
        synchronized (this) {
          failure = e;
          notifyAll();
        }
      } finally {
        consumer.close();
      }
    }

    /** The newest record seen. */
    synchronized Seen newest() {
      if (newest == null) {
        throw new IllegalStateException("no output yet");
      }
      return newest;
    }

    /** The first record seen of the first term after {@code epoch}. */
    synchronized Seen awaitEpochAbove(long epoch, Duration timeout) throws InterruptedException {
      await(
          () -> firstOfTerm.keySet().stream().anyMatch(e -> e > epoch),
          timeout,
          "no output of a term after epoch " + epoch);
      return firstOfTerm.entrySet().stream()
          .filter(e -> e.getKey() > epoch)
          .findFirst()
          .orElseThrow()
          .getValue();
    }

    /** Waits for a record that arrives at or after {@code nanos} ({@link System#nanoTime()}). */
    synchronized void awaitReceivedAfter(long nanos, Duration timeout) throws InterruptedException {
      await(
          () -> newest != null && newest.nanos() - nanos >= 0,
          timeout,
          "no output arrived in time");
    }

    /** Waits until {@code count} distinct input records have an output. */
    synchronized void awaitDistinct(long count, Duration timeout) throws InterruptedException {
      await(
          () -> counts.size() >= count,
          timeout,
          "only " + counts.size() + " of " + count + " records have an output");
    }

    private void await(java.util.function.BooleanSupplier done, Duration timeout, String failed)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.getAsBoolean()) {
        if (failure != null) {
          throw new IllegalStateException("the output tail failed", failure);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(failed + " within " + timeout.toMillis() + " ms");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    @Override
    public void close() {
      running = false;
      consumer.wakeup();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The whole output topic read again from the start with read_committed. */
  record OutputCheck(long records, long distinct, long duplicates, long missing, int epochs) {
    boolean clean() {
      return duplicates == 0 && missing == 0;
    }

    static OutputCheck read(String bootstrap, long produced) {
      Map<String, Integer> counts = new HashMap<>();
      Map<Long, Integer> epochs = new HashMap<>();
      long records = 0;
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(readCommitted(bootstrap, 500))) {
        TopicPartition partition = new TopicPartition(OUTPUT, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (consumer.position(partition) < end) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("could not read " + OUTPUT + " to its end");
          }
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
            records++;
            counts.merge(sequence(record.value()), 1, Integer::sum);
            epochs.merge(epoch(record), 1, Integer::sum);
          }
        }
      }
      long missing = 0;
      for (long i = 0; i < produced; i++) {
        if (!counts.containsKey(Long.toString(i))) {
          missing++;
        }
      }
      long duplicates = counts.values().stream().mapToLong(c -> c - 1).sum();
      return new OutputCheck(records, counts.size(), duplicates, missing, epochs.size());
    }
  }

  static Map<String, Object> readCommitted(String bootstrap, int fetchMaxWaitMs) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return props;
  }

  private static long epoch(ConsumerRecord<String, String> record) {
    Header header = record.headers().lastHeader(EPOCH);
    if (header == null) {
      throw new IllegalStateException("output record without " + EPOCH + ": " + record.value());
    }
    return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
  }

  /** {@code VALUE-17 m2} → {@code 17}. */
  private static String sequence(String value) {
    return value.substring("VALUE-".length(), value.indexOf(' '));
  }

  /** {@code VALUE-17 m2} → {@code m2}. */
  private static String member(String value) {
    return value.substring(value.indexOf(' ') + 1);
  }
}
