package dev.pipekeeper.bench;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link AlertSink} that notes when each transition reaches it ({@link System#nanoTime()} on the
 * sink's delivery thread), so a harness can wait for one and time it. A transition delivered again
 * (after a failover) keeps its first time.
 */
final class RecordingSink implements AlertSink {
  /** One transition as it arrived. */
  record Delivery(long nanos, Alert alert) {}

  private final Map<String, CompletableFuture<Delivery>> deliveries = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "recorder";
  }

  @Override
  public void deliver(Alert alert) {
    long now = System.nanoTime();
    future(alert.key(), alert.state()).complete(new Delivery(now, alert));
  }

  /**
   * The delivery of {@code state} of the alert {@code key}, waiting for it up to {@code timeout}.
   *
   * @throws IllegalStateException if it did not arrive in time
   */
  Delivery await(String key, AlertState state, Duration timeout) throws InterruptedException {
    try {
      return future(key, state).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(key + " was not delivered " + state + " within " + timeout);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Forgets a transition, so that it can be awaited again. */
  void forget(String key, AlertState state) {
    deliveries.remove(key + " " + state);
  }

  private CompletableFuture<Delivery> future(String key, AlertState state) {
    return deliveries.computeIfAbsent(key + " " + state, k -> new CompletableFuture<>());
  }
}
