package dev.pipekeeper.core.monitor.internal;

import static dev.pipekeeper.core.monitor.internal.TestSinks.alert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.internal.TestSinks.ScriptedSink;
import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Seeded random offers against a sink that fails and stalls at random; a failure names its seed and
 * case. The interleavings with the delivery thread differ from run to run; the offers do not.
 */
class SinkQueuePropertyTest {
  private static final int CASES = 200;
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(10));

  @Test
  void theNewestAlertOfEveryKeyArrivesInOrderOneAttemptAtATime() {
    // Thousands of queue-full and failing lines would bury the report; SinkDeliveryTest checks
    // them.
    Logger logger = (Logger) LoggerFactory.getLogger(SinkDelivery.class);
    Level level = logger.getLevel();
    logger.setLevel(Level.ERROR);
    long seed = Seeds.seed("property.seed", "SinkQueuePropertyTest");
    try {
      for (int i = 0; i < CASES; i++) {
        try {
          runCase(new Random(seed * 31 + i));
        } catch (AssertionError | RuntimeException e) {
          throw new AssertionError("seed " + seed + ", case " + i + ": " + e.getMessage(), e);
        }
      }
    } finally {
      logger.setLevel(level);
    }
  }

  private static void runCase(Random random) {
    int keys = 1 + random.nextInt(8);
    int capacity = 1 + random.nextInt(6);
    int offers = random.nextInt(120);
    double failureRate = random.nextDouble() * 0.6;
    long seedOfSink = random.nextLong();

    RandomSink sink = new RandomSink(new Random(seedOfSink), failureRate);
    List<Alert> recorded = new CopyOnWriteArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SinkDelivery delivery =
        new SinkDelivery(
            sink,
            capacity,
            Duration.ofNanos(20_000),
            Duration.ofNanos(200_000),
            registry,
            recorded::add,
            Clock.systemUTC());
    if (random.nextBoolean()) {
      delivery.start(); // otherwise the first offers queue up before it starts
    }
    Map<String, Alert> lastAccepted = new HashMap<>();
    long refused = 0;
    try {
      for (long seq = 0; seq < offers; seq++) {
        String key = "k" + random.nextInt(keys);
        AlertState state = random.nextBoolean() ? AlertState.FIRING : AlertState.RESOLVED;
        Alert alert = alert(key, state, seq);
        if (delivery.offer(alert)) {
          lastAccepted.put(key, alert);
        } else {
          refused++;
        }
        if (random.nextInt(4) == 0) {
          LockSupport.parkNanos(random.nextInt(50_000)); // let the delivery thread move
        }
        if (seq == offers / 2) {
          delivery.start();
        }
      }
      delivery.start();
      await()
          .atMost(BOUND)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .until(() -> delivery.status().queued() == 0);

      assertThat(sink.mostConcurrent.get()).as("attempts in flight at once").isLessThanOrEqualTo(1);
      Map<String, Alert> lastDelivered = new HashMap<>();
      for (Alert a : sink.delivered) {
        Alert before = lastDelivered.put(a.key(), a);
        if (before != null) {
          assertThat(a.epoch())
              .as("%s delivered after a newer one of its key (%s)", a, before.epoch())
              .isGreaterThan(before.epoch());
        }
      }
      Map<String, Long> lastAttempt = new HashMap<>();
      for (Alert a : sink.attempts) {
        Long before = lastAttempt.put(a.key(), a.epoch());
        assertThat(before == null || before <= a.epoch())
            .as("attempt of %s after one of a newer alert %s", a.epoch(), before)
            .isTrue();
      }
      for (Map.Entry<String, Alert> accepted : lastAccepted.entrySet()) {
        Alert last = lastDelivered.get(accepted.getKey());
        assertThat(last).as("nothing delivered for %s", accepted.getKey()).isNotNull();
        // The last accepted offer arrived, or was ignored because an alert of its key and state
        // was on its way at that moment; that one arrived then.
        assertThat(last.state())
            .as("state of %s", accepted.getKey())
            .isEqualTo(accepted.getValue().state());
        assertThat(last.epoch()).isLessThanOrEqualTo(accepted.getValue().epoch());
      }
      assertThat(lastDelivered.keySet()).isEqualTo(lastAccepted.keySet());
      assertThat(recorded).containsExactlyElementsOf(sink.delivered);
      assertThat(delivery.status().delivered()).isEqualTo(sink.delivered.size());
      assertThat(delivery.status().dropped()).isEqualTo(refused);
      assertThat(delivery.status().failedAttempts())
          .isEqualTo(sink.attempts.size() - sink.delivered.size());
    } finally {
      delivery.close(Duration.ofMillis(100));
    }
  }

  /** Fails at the given rate and now and then takes a little while. */
  private static final class RandomSink extends ScriptedSink {
    private final Random random;
    private final double failureRate;

    RandomSink(Random random, double failureRate) {
      super("random");
      this.random = random;
      this.failureRate = failureRate;
    }

    @Override
    void act(Alert alert) {
      if (random.nextInt(3) == 0) {
        LockSupport.parkNanos(random.nextInt(100_000)); // a slow receiver
      }
      failing.set(random.nextDouble() < failureRate);
    }
  }
}
