package dev.pipekeeper.app.demo;

import dev.pipekeeper.kafka.KafkaClientSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from its beginning as it grows, read_committed (what a downstream consumer would
 * see), and keeps every record with the time it was seen: the demo's evidence.
 */
final class TopicTail implements AutoCloseable {
  /** A record and when the demo saw it. */
  record Seen(ConsumerRecord<String, String> record, Instant at) {}

  private final KafkaConsumer<String, String> consumer;
  private final List<Seen> seen = new ArrayList<>();
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();

  TopicTail(KafkaClientSettings kafka, String topic) {
    Map<String, Object> config = kafka.consumer();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.thread = new Thread(this::run, "pipekeeper-demo-tail-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (!closed.get()) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          Instant now = Instant.now();
          synchronized (seen) {
            seen.add(new Seen(r, now));
          }
        }
      }
    } catch (WakeupException closing) {
      // close() woke it
    } finally {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  /** Everything seen so far, in the order seen. */
  List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  int count() {
    synchronized (seen) {
      return seen.size();
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      consumer.wakeup();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
