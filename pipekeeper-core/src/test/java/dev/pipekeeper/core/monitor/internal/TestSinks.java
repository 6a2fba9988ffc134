package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.DeliveryException;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Alerts and scripted sinks for the delivery tests. */
final class TestSinks {
  private TestSinks() {}

  static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

  /** An alert of rule {@code r} for {@code key}; {@code seq} (in the epoch) tells offers apart. */
  static Alert alert(String key, AlertState state, long seq) {
    return new Alert(
        key,
        "r",
        RuleKind.MEMBER_DOWN,
        Severity.WARNING,
        state,
        Map.of("member", key),
        "summary of " + key,
        T0,
        T0,
        state == AlertState.RESOLVED ? T0.plusSeconds(60) : null,
        null,
        1,
        false,
        Map.of(),
        seq,
        T0);
  }

  /** Records every attempt; fails while {@link #failing} is set or {@link #failures} remain. */
  static class ScriptedSink implements AlertSink {
    final String name;
    final AtomicInteger failures = new AtomicInteger();
    final AtomicBoolean failing = new AtomicBoolean();
    final List<Alert> attempts = new CopyOnWriteArrayList<>();
    final List<Long> attemptNanos = new CopyOnWriteArrayList<>();
    final List<Alert> delivered = new CopyOnWriteArrayList<>();
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger mostConcurrent = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();

    ScriptedSink(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void deliver(Alert alert) {
      int now = concurrent.incrementAndGet();
      mostConcurrent.accumulateAndGet(now, Math::max);
      try {
        attemptNanos.add(System.nanoTime());
        attempts.add(alert);
        act(alert);
        if (failing.get() || failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new DeliveryException("receiver refused attempt " + attempts.size());
        }
        delivered.add(alert);
      } finally {
        concurrent.decrementAndGet();
      }
    }

    /** What an attempt does before it succeeds or fails; nothing by default. */
    void act(Alert alert) {}

    @Override
    public void close() {
      closed.set(true);
    }
  }

  /** Blocks every attempt until released (interruptibly, unless told to ignore interrupts). */
  static final class BlockingSink extends ScriptedSink {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger entered = new AtomicInteger();
    private final boolean ignoreInterrupts;

    BlockingSink(String name, boolean ignoreInterrupts) {
      super(name);
      this.ignoreInterrupts = ignoreInterrupts;
    }

    @Override
    void act(Alert alert) {
      entered.incrementAndGet();
      while (true) {
        try {
          release.await();
          return;
        } catch (InterruptedException e) {
          if (!ignoreInterrupts) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted");
          }
        }
      }
    }
  }

  static boolean threadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }
}
