package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipekeeper.connect.audit.AuditReader;
import dev.pipekeeper.console.AuditFeed;
import dev.pipekeeper.core.NotFoundException;
import dev.pipekeeper.core.UnreachableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's audit feed from the cluster's audit topic, read with {@link AuditReader} as {@code
 * audit tail} reads it: a page opens a reader of its own (positioned at {@code since}, read up to
 * {@code limit} events or the topic's end); following is one reader at the end of the topic, on a
 * daemon thread, which waits for the topic if it is not there yet.
 */
final class KafkaAuditFeed implements AuditFeed {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaAuditFeed.class);

  /** How long a page may take to read before it is 503. */
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(10);

  /** How long following waits before it looks for a missing topic again. */
  private static final Duration RETRY = Duration.ofSeconds(5);

  private final Map<String, Object> consumer;
  private final String topic;
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile AuditReader following;
  private Thread follower;

  KafkaAuditFeed(Map<String, Object> consumer, String topic) {
    this.consumer = Map.copyOf(consumer);
    this.topic = topic;
  }

  @Override
  public String source() {
    return "kafka topic " + topic;
  }

  @Override
  public List<JsonNode> page(String since, int limit) {
    Instant from = since == null ? null : AuditCommand.Tail.parseSince("since", since);
    try (AuditReader reader = new AuditReader(consumer, topic)) {
      reader.seek(from);
      List<JsonNode> events = new ArrayList<>();
      long deadline = System.nanoTime() + PAGE_TIMEOUT.toNanos();
      while (events.size() < limit && !reader.caughtUp()) {
        if (System.nanoTime() > deadline) {
          throw new UnreachableException("Kafka", topic, "the audit events took too long to read");
        }
        for (byte[] event : reader.poll(Duration.ofMillis(200))) {
          if (events.size() < limit) {
            events.add(event(event));
          }
        }
      }
      return events;
    } catch (KafkaException e) {
      throw new UnreachableException("Kafka", topic, e.getMessage());
    }
  }

  @Override
  public synchronized void follow(Consumer<JsonNode> listener) {
    if (follower != null || closing.getCount() == 0) {
      return;
    }
    follower = new Thread(() -> follow0(listener), "pipekeeper-console-audit");
    follower.setDaemon(true);
    follower.start();
  }

  private void follow0(Consumer<JsonNode> listener) {
    while (closing.getCount() > 0) {
      try (AuditReader reader = new AuditReader(consumer, topic)) {
        following = reader;
        if (closing.getCount() == 0) {
          return;
        }
        reader.seekToEnd();
        while (closing.getCount() > 0) {
          for (byte[] event : reader.poll(Duration.ofSeconds(1))) {
            try {
              listener.accept(event(event));
            } catch (RuntimeException e) {
              LOG.warn("the console's audit listener failed: {}", e.toString(), e);
            }
          }
        }
      } catch (WakeupException closed) {
        return;
      } catch (NotFoundException | KafkaException e) {
        LOG.info("console audit feed: {}; trying again in {} s", e.getMessage(), RETRY.toSeconds());
        try {
          if (closing.await(RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      } finally {
        following = null;
      }
    }
  }

  /** An event's JSON; a record that is not JSON as {@code {type: "unreadable", text}}. */
  private static JsonNode event(byte[] value) {
    try {
      return Json.tree(value);
    } catch (RuntimeException e) {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put("type", "unreadable");
      node.put("text", new String(value, StandardCharsets.UTF_8).strip());
      return node;
    }
  }

  @Override
  public void close() {
    Thread thread;
    synchronized (this) {
      closing.countDown();
      thread = follower;
    }
    AuditReader reader = following;
    if (reader != null) {
      reader.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "audit feed of " + source();
  }
}
