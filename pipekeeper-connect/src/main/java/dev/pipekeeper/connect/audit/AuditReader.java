package dev.pipekeeper.connect.audit;

import dev.pipekeeper.core.NotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads an audit topic (what {@link AuditTransformation} writes): every partition assigned, no
 * group and no committed offsets, committed records only. Positioned once by {@link #seek} (from a
 * time, or the oldest) or {@link #seekToEnd} (only what comes next), then {@link #poll}ed. The one
 * reader of the topic: {@code pipekeeper audit tail} and the console's audit feed use it. Not
 * thread-safe (a Kafka consumer); close it.
 */
public final class AuditReader implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private Map<TopicPartition, Long> end = Map.of();

  /**
   * A reader of {@code topic} with the Kafka client settings {@code consumer} (servers, security);
   * its deserializers, auto-commit and isolation level are set here.
   *
   * @throws NotFoundException if there is no such topic
   */
  public AuditReader(Map<String, Object> consumer, String topic) {
    Map<String, Object> config = new HashMap<>(consumer);
    config.put("key.deserializer", ByteArrayDeserializer.class.getName());
    config.put("value.deserializer", ByteArrayDeserializer.class.getName());
    config.put("enable.auto.commit", "false");
    config.put("isolation.level", "read_committed");
    this.consumer = new KafkaConsumer<>(config);
    try {
      if (!this.consumer.listTopics(Duration.ofSeconds(10)).containsKey(topic)) {
        throw new NotFoundException(
            "no audit topic " + topic + ": is 'pipekeeper audit' running for this cluster?");
      }
      this.partitions =
          this.consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      this.consumer.assign(partitions);
    } catch (RuntimeException e) {
      this.consumer.close();
      throw e;
    }
  }

  /** The audit topic of {@code cluster} unless one is given: {@code pipekeeper-audit-CLUSTER}. */
  public static String topic(String given, String cluster) {
    return given != null ? given : "pipekeeper-audit-" + cluster;
  }

  /**
   * Positions at the first event at or after {@code from} in every partition (null: the oldest
   * kept), and notes where the topic ends now, for {@link #caughtUp()}.
   */
  public void seek(Instant from) {
    end = consumer.endOffsets(partitions);
    if (from == null) {
      consumer.seekToBeginning(partitions);
      return;
    }
    Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(p -> times.put(p, from.toEpochMilli()));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times);
    for (TopicPartition partition : partitions) {
      OffsetAndTimestamp at = found.get(partition);
      consumer.seek(partition, at != null ? at.offset() : end.get(partition));
    }
  }

  /** Positions at the end: only events written from now on are read. */
  public void seekToEnd() {
    end = consumer.endOffsets(partitions);
    end.forEach(consumer::seek);
  }

  /** Whether every partition is read up to where it ended at the last seek. */
  public boolean caughtUp() {
    return partitions.stream().allMatch(p -> consumer.position(p) >= end.getOrDefault(p, 0L));
  }

  /**
   * The events read within {@code timeout} (their JSON as written; records without a value are
   * skipped), in each partition's order.
   */
  public List<byte[]> poll(Duration timeout) {
    List<byte[]> events = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      if (record.value() != null) {
        events.add(record.value());
      }
    }
    return events;
  }

  /** Wakes a {@link #poll} blocked on another thread (it throws Kafka's WakeupException). */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
