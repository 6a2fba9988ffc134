package dev.pipekeeper.kafka.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/** Reads the first record at or after an offset of each partition, for its timestamp. */
final class OldestRecords {
  private static final Duration MAX_POLL = Duration.ofMillis(200);

  /** The timestamp of the first record read from offset {@code from} on. */
  record Stamp(long from, Instant timestamp) {}

  private OldestRecords() {}

  /**
   * Assigns the consumer the partitions, positions it at the offsets and polls until every
   * partition gave its first record, has nothing more up to its end offset, or the deadline passed.
   * The consumer is left with no assignment.
   *
   * @param from per partition, the offset to read from
   * @param ends per partition, the (last stable) end offset: a partition whose position reaches it
   *     has nothing to read (only transaction markers or aborted records were left)
   * @throws org.apache.kafka.common.KafkaException what the consumer throws
   */
  static Map<TopicPartition, Stamp> read(
      KafkaConsumer<byte[], byte[]> consumer,
      Map<TopicPartition, Long> from,
      Map<TopicPartition, Long> ends,
      long deadline) {
    Map<TopicPartition, Stamp> found = new HashMap<>();
    Set<TopicPartition> pending = new HashSet<>(from.keySet());
    consumer.assign(from.keySet());
    try {
      from.forEach(consumer::seek);
      while (!pending.isEmpty()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        ConsumerRecords<byte[], byte[]> records =
            consumer.poll(Duration.ofMillis(Math.min(left, MAX_POLL.toMillis())));
        for (TopicPartition partition : records.partitions()) {
          if (!pending.contains(partition)) {
            continue;
          }
          List<ConsumerRecord<byte[], byte[]>> batch = records.records(partition);
          long start = from.get(partition);
          for (ConsumerRecord<byte[], byte[]> record : batch) {
            if (record.offset() >= start) {
              if (record.timestamp() >= 0) {
                found.put(partition, new Stamp(start, Instant.ofEpochMilli(record.timestamp())));
              }
              pending.remove(partition);
              consumer.pause(Set.of(partition)); // fetch nothing more from it
              break;
            }
          }
        }
        for (Iterator<TopicPartition> it = pending.iterator(); it.hasNext(); ) {
          TopicPartition partition = it.next();
          // The position is known since the seek (no request is made), unless the offset was out
          // of range and is being reset: then it is looked at again after the next poll.
          try {
            if (consumer.position(partition, Duration.ZERO) >= ends.get(partition)) {
              it.remove();
            }
          } catch (TimeoutException e) {
            // not known yet
          }
        }
      }
    } finally {
      consumer.unsubscribe(); // drops the assignment, what was fetched and the paused marks
    }
    return found;
  }
}
