package dev.pipekeeper.core.monitor.internal;

import static dev.pipekeeper.core.monitor.AlertState.FIRING;
import static dev.pipekeeper.core.monitor.AlertState.RESOLVED;
import static dev.pipekeeper.core.monitor.internal.TestSinks.T0;
import static dev.pipekeeper.core.monitor.internal.TestSinks.alert;
import static dev.pipekeeper.core.monitor.internal.TestSinks.threadAlive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.SinkStatus;
import dev.pipekeeper.core.monitor.internal.TestSinks.BlockingSink;
import dev.pipekeeper.core.monitor.internal.TestSinks.ScriptedSink;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SinkDeliveryTest {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(10));
  private static final Instant NOW = T0.plusSeconds(5);
  private static final Duration SHORT_GRACE = Duration.ofMillis(200);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Alert> recorded = new CopyOnWriteArrayList<>();
  private final List<SinkDelivery> opened = new ArrayList<>();
  private final List<BlockingSink> blocking = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(SinkDelivery.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void closeAll() {
    blocking.forEach(b -> b.release.countDown());
    opened.forEach(d -> d.close(SHORT_GRACE));
    logger.detachAppender(logs);
  }

  private SinkDelivery delivery(AlertSink sink, int capacity, Duration initial, Duration max) {
    return delivery(sink, capacity, initial, max, recorded::add);
  }

  private SinkDelivery delivery(
      AlertSink sink, int capacity, Duration initial, Duration max, Consumer<Alert> onDelivered) {
    SinkDelivery d =
        new SinkDelivery(
            sink, capacity, initial, max, registry, onDelivered, Clock.fixed(NOW, ZoneOffset.UTC));
    opened.add(d);
    return d;
  }

  private BlockingSink blockingSink(String name, boolean ignoreInterrupts) {
    BlockingSink sink = new BlockingSink(name, ignoreInterrupts);
    blocking.add(sink);
    return sink;
  }

  private long lines(Level level, String containing) {
    return logs.list.stream()
        .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(containing))
        .count();
  }

  private double counter(String sink, String outcome) {
    return registry
        .get(SinkDelivery.DELIVERIES)
        .tags("sink", sink, "outcome", outcome)
        .functionCounter()
        .count();
  }

  private double queueGauge(String sink) {
    return registry.get(SinkDelivery.QUEUE).tag("sink", sink).gauge().value();
  }

  @Test
  void aFailingAlertIsRetriedWithGrowingBackoffAndDeliveredOnce() {
    ScriptedSink sink = new ScriptedSink("flaky");
    sink.failures.set(4);
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(20), Duration.ofMillis(100)).start();
    Alert alert = alert("k1", FIRING, 1);

    assertThat(d.offer(alert)).isTrue();

    await().atMost(BOUND).until(() -> d.status().queued() == 0);
    assertThat(sink.attempts).hasSize(5).allMatch(a -> a == alert);
    assertThat(sink.delivered).containsExactly(alert);
    assertThat(recorded).containsExactly(alert);
    long[] nominalMillis = {20, 40, 80, 100}; // doubling, capped at the maximum
    for (int i = 0; i < nominalMillis.length; i++) {
      long gap = sink.attemptNanos.get(i + 1) - sink.attemptNanos.get(i);
      // jitter takes at most a tenth off a wait
      assertThat(gap)
          .as("wait before retry %d", i + 1)
          .isGreaterThanOrEqualTo(nominalMillis[i] * 900_000L);
    }
    SinkStatus status = d.status();
    assertThat(status.delivered()).isEqualTo(1);
    assertThat(status.failedAttempts()).isEqualTo(4);
    assertThat(status.dropped()).isZero();
    assertThat(status.failingSince()).isEmpty();
    assertThat(status.lastError()).contains("receiver refused attempt 4");
    assertThat(counter("flaky", "delivered")).isEqualTo(1);
    assertThat(counter("flaky", "failed")).isEqualTo(4);
    assertThat(lines(Level.WARN, "alert sink flaky is failing")).isEqualTo(1);
    assertThat(lines(Level.INFO, "alert sink flaky delivers again")).isEqualTo(1);
    assertThat(logs.list).filteredOn(e -> e.getThrowableProxy() != null).isEmpty();
  }

  @Test
  void statusShowsASinkThatIsFailingAndThenRecovers() {
    ScriptedSink sink = new ScriptedSink("down");
    sink.failing.set(true);
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(5), Duration.ofMillis(20)).start();
    d.offer(alert("k1", FIRING, 1));

    await().atMost(BOUND).until(() -> d.status().failedAttempts() >= 3);
    SinkStatus failing = d.status();
    assertThat(failing.failing()).isTrue();
    assertThat(failing.failingSince()).contains(NOW);
    assertThat(failing.lastError()).hasValueSatisfying(e -> assertThat(e).contains("refused"));
    assertThat(failing.queued()).isEqualTo(1);
    assertThat(failing.delivered()).isZero();

    sink.failing.set(false);
    await().atMost(BOUND).until(() -> d.status().delivered() == 1);
    assertThat(d.status().failingSince()).isEmpty();
    assertThat(lines(Level.WARN, "is failing")).isEqualTo(1);
  }

  @Test
  void offersReturnAtOnceWhileTheSinkIsStuck() {
    BlockingSink sink = blockingSink("stuck", false);
    SinkDelivery d = delivery(sink, 100, Duration.ofMillis(10), Duration.ofMillis(10)).start();
    d.offer(alert("k0", FIRING, -1));
    await().atMost(BOUND).until(() -> sink.entered.get() == 1);

    assertTimeoutPreemptively(
        BOUND,
        () -> {
          for (int i = 0; i < 20_000; i++) {
            assertThat(d.offer(alert("k" + (i % 50), i % 2 == 0 ? FIRING : RESOLVED, i))).isTrue();
          }
        });

    assertThat(sink.entered.get()).isEqualTo(1);
    // k0 is in flight as FIRING (its FIRING offers are ignored); k1..k49 wait once each
    assertThat(d.status().queued()).isEqualTo(50);
    assertThat(queueGauge("stuck")).isEqualTo(50);
  }

  @Test
  void aNewerAlertReplacesTheWaitingOneOfItsKeyInItsPlace() {
    BlockingSink sink = blockingSink("slow", false);
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(10), Duration.ofMillis(10)).start();
    d.offer(alert("k1", FIRING, 1));
    await().atMost(BOUND).until(() -> sink.entered.get() == 1);

    d.offer(alert("k2", FIRING, 2));
    d.offer(alert("k3", FIRING, 3));
    d.offer(alert("k2", RESOLVED, 4));
    assertThat(d.offer(alert("k1", FIRING, 5))).as("same key and state as in flight").isTrue();
    d.offer(alert("k3", RESOLVED, 6));
    d.offer(alert("k3", FIRING, 7));
    d.offer(alert("k1", RESOLVED, 8));
    assertThat(d.status().queued()).isEqualTo(4);

    sink.release.countDown();
    await().atMost(BOUND).until(() -> d.status().queued() == 0);
    assertThat(sink.delivered).extracting(Alert::epoch).containsExactly(1L, 4L, 7L, 8L);
    assertThat(sink.attempts).hasSize(4);
    assertThat(recorded).extracting(Alert::epoch).containsExactly(1L, 4L, 7L, 8L);
  }

  @Test
  void aRetryDeliversTheNewestAlertOfItsKey() {
    ScriptedSink sink = new ScriptedSink("retry");
    sink.failing.set(true);
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(5), Duration.ofMillis(20)).start();
    d.offer(alert("k1", FIRING, 1));
    await().atMost(BOUND).until(() -> d.status().failedAttempts() >= 1);

    d.offer(alert("k1", RESOLVED, 2));
    await().atMost(BOUND).until(() -> sink.attempts.get(sink.attempts.size() - 1).epoch() == 2);
    sink.failing.set(false);

    await().atMost(BOUND).until(() -> d.status().queued() == 0);
    assertThat(sink.delivered).extracting(Alert::epoch).containsExactly(2L);
    assertThat(recorded).extracting(Alert::epoch).containsExactly(2L);
  }

  @Test
  void aFullQueueRefusesNewKeysCountsThemAndLogsOnce() {
    BlockingSink sink = blockingSink("full", false);
    SinkDelivery d = delivery(sink, 3, Duration.ofMillis(10), Duration.ofMillis(10)).start();
    d.offer(alert("k1", FIRING, 1));
    await().atMost(BOUND).until(() -> sink.entered.get() == 1);
    assertThat(d.offer(alert("k2", FIRING, 2))).isTrue();
    assertThat(d.offer(alert("k3", FIRING, 3))).isTrue();

    assertThat(d.offer(alert("k4", FIRING, 4))).isFalse();
    assertThat(d.offer(alert("k5", FIRING, 5))).isFalse();
    assertThat(d.offer(alert("k4", FIRING, 6))).isFalse();
    assertThat(d.offer(alert("k2", RESOLVED, 7))).as("a queued key is replaced").isTrue();
    assertThat(d.offer(alert("k1", RESOLVED, 8))).as("the key in flight is queued").isTrue();

    SinkStatus status = d.status();
    assertThat(status.dropped()).isEqualTo(3);
    assertThat(status.queued()).isEqualTo(4);
    assertThat(counter("full", "dropped")).isEqualTo(3);
    assertThat(queueGauge("full")).isEqualTo(4);
    assertThat(lines(Level.WARN, "queue full")).isEqualTo(1);

    sink.release.countDown();
    await().atMost(BOUND).until(() -> lines(Level.INFO, "queue drained; it refused 3") == 1);
    assertThat(d.offer(alert("k4", FIRING, 9))).isTrue();
    await().atMost(BOUND).until(() -> d.status().delivered() == 5);
    assertThat(sink.delivered).extracting(Alert::epoch).containsExactly(1L, 7L, 3L, 8L, 9L);
  }

  @Test
  void metersAreTaggedWithTheSinkAndRemovedOnClose() {
    ScriptedSink sink = new ScriptedSink("metered");
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(5), Duration.ofMillis(5)).start();
    d.offer(alert("k1", FIRING, 1));
    d.offer(alert("k2", FIRING, 2));
    await().atMost(BOUND).until(() -> d.status().delivered() == 2 && d.status().queued() == 0);

    assertThat(counter("metered", "delivered")).isEqualTo(2);
    assertThat(counter("metered", "failed")).isZero();
    assertThat(counter("metered", "dropped")).isZero();
    assertThat(queueGauge("metered")).isZero();

    d.close();
    assertThat(registry.find(SinkDelivery.DELIVERIES).tag("sink", "metered").meters()).isEmpty();
    assertThat(registry.find(SinkDelivery.QUEUE).tag("sink", "metered").meters()).isEmpty();
  }

  @Test
  void closeIsBoundedIdempotentAndLeavesNoThread() {
    BlockingSink sink = blockingSink("closing", false);
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(10), Duration.ofMillis(10)).start();
    d.offer(alert("k1", FIRING, 1));
    d.offer(alert("k2", FIRING, 2));
    await().atMost(BOUND).until(() -> sink.entered.get() == 1);
    assertThat(threadAlive("pipekeeper-alerts-closing")).isTrue();

    long started = System.nanoTime();
    d.close(SHORT_GRACE);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took)
        .isLessThan(SHORT_GRACE.multipliedBy(2).plus(TestTimeouts.scaled(Duration.ofSeconds(1))));
    assertThat(threadAlive("pipekeeper-alerts-closing")).isFalse();
    assertThat(sink.closed).isTrue();
    assertThat(sink.entered.get()).as("nothing more delivered").isEqualTo(1);
    d.close();
    assertThat(d.offer(alert("k3", FIRING, 3))).isFalse();
    assertThat(d.status().queued()).isZero();
  }

  @Test
  void closeOfAnIdleDeliveryDoesNotWaitForTheGrace() {
    ScriptedSink sink = new ScriptedSink("idle");
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(10), Duration.ofMillis(10)).start();
    assertThat(threadAlive("pipekeeper-alerts-idle")).isTrue();

    assertTimeoutPreemptively(SinkDelivery.CLOSE_GRACE, () -> d.close());
    assertThat(threadAlive("pipekeeper-alerts-idle")).isFalse();
    assertThat(sink.closed).isTrue();
  }

  @Test
  void closeIsBoundedWhenTheSinkIgnoresInterrupts() {
    BlockingSink sink = blockingSink("deaf", true);
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(10), Duration.ofMillis(10)).start();
    d.offer(alert("k1", FIRING, 1));
    await().atMost(BOUND).until(() -> sink.entered.get() == 1);

    assertTimeoutPreemptively(
        SHORT_GRACE.multipliedBy(2).plus(TestTimeouts.scaled(Duration.ofSeconds(1))),
        () -> d.close(SHORT_GRACE));
    assertThat(sink.closed).isTrue();
    assertThat(lines(Level.WARN, "left behind")).isEqualTo(1);

    sink.release.countDown(); // the attempt returns and the thread sees the close
    await().atMost(BOUND).until(() -> !threadAlive("pipekeeper-alerts-deaf"));
    assertThat(recorded).as("delivered after close: still reported").hasSize(1);
  }

  @Test
  void aFailingCallbackDoesNotStopDeliveries() {
    ScriptedSink sink = new ScriptedSink("callback");
    List<Alert> seen = new CopyOnWriteArrayList<>();
    SinkDelivery d =
        delivery(
                sink,
                10,
                Duration.ofMillis(5),
                Duration.ofMillis(5),
                a -> {
                  seen.add(a);
                  throw new IllegalStateException("cannot record " + a.key());
                })
            .start();
    d.offer(alert("k1", FIRING, 1));
    d.offer(alert("k2", FIRING, 2));

    await().atMost(BOUND).until(() -> seen.size() == 2 && d.status().queued() == 0);
    assertThat(sink.attempts).hasSize(2);
    assertThat(lines(Level.WARN, "cannot record k1")).isEqualTo(1);
  }

  @Test
  void offersBeforeStartWaitAndCloseWithoutStartClosesTheSink() {
    ScriptedSink sink = new ScriptedSink("latent");
    SinkDelivery d = delivery(sink, 10, Duration.ofMillis(5), Duration.ofMillis(5));
    assertThat(d.offer(alert("k1", FIRING, 1))).isTrue();
    assertThat(d.status().queued()).isEqualTo(1);
    assertThat(threadAlive("pipekeeper-alerts-latent")).isFalse();

    d.close();
    assertThat(sink.closed).isTrue();
    assertThat(sink.attempts).isEmpty();
    assertThat(registry.find(SinkDelivery.DELIVERIES).tag("sink", "latent").meters()).isEmpty();
  }
}
