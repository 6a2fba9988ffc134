package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.internal.Threads;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.DeliveryException;
import dev.pipekeeper.core.monitor.SinkStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts to one {@link AlertSink} on its own daemon thread ({@code
 * pipekeeper-alerts-SINK}), so a slow or dead sink never blocks the caller or the other sinks.
 *
 * <p>The queue holds at most {@code capacity} distinct alert keys (the one being delivered
 * included) and coalesces by key: an alert whose key is waiting replaces the waiting one in its
 * place; an alert with the key and state of the one being delivered is already on its way and is
 * ignored. When the queue is full an alert with a new key is refused and counted as dropped; the
 * monitor offers it again at its next evaluation.
 *
 * <p>One attempt is in flight at a time. A failed attempt (any exception from {@link
 * AlertSink#deliver}) is retried with exponential backoff from {@code initialBackoff} up to {@code
 * maxBackoff}; before each retry a newer alert offered meanwhile for the same key takes the place
 * of the failed one. The queue does not move past a failing alert, so alerts of one key are
 * delivered in the order offered and none after a newer one. After a success {@code onDelivered}
 * runs on the delivery thread; while it runs, offers of the same key and state are still ignored,
 * so the caller can record the delivery before it would offer the alert again.
 *
 * <p>Meters, tagged {@code sink=NAME}: {@code pipekeeper.monitor.deliveries} with {@code
 * outcome=delivered|failed|dropped} and the gauge {@code pipekeeper.monitor.delivery.queue}; they
 * are removed on close, so close the previous delivery of a sink before making a new one on the
 * same registry.
 *
 * <p>Thread-safe. Offers made before {@link #start()} wait in the queue. {@link #close()} stops the
 * thread (an attempt in flight gets a short grace, then an interrupt), drops what is queued and
 * closes the sink.
 */
final class SinkDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkDelivery.class);
  static final String DELIVERIES = "pipekeeper.monitor.deliveries";
  static final String QUEUE = "pipekeeper.monitor.delivery.queue";

  /** How long {@link #close()} lets an attempt in flight finish before it interrupts it. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final AlertSink sink;
  private final String name;
  private final int capacity;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final MeterRegistry registry;
  private final Consumer<Alert> onDelivered;
  private final Clock clock;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final List<Meter> meters;
  private final Thread thread;

  private final Object lock = new Object();
  // Guarded by lock:
  private final LinkedHashMap<String, Alert> waiting = new LinkedHashMap<>();
  private Alert inFlight;
  private Instant failingSince;
  private String lastError;
  private boolean refusing;
  private long refusedInStreak;

  /**
   * @param sink where to deliver; closed by {@link #close()}
   * @param capacity the most distinct alert keys queued, the one being delivered included
   * @param initialBackoff the wait before the first retry; it doubles with every failure
   * @param maxBackoff the longest wait between retries
   * @param registry where the meters go
   * @param onDelivered told of each alert the sink took, on the delivery thread
   * @param clock the wall clock of {@link SinkStatus#failingSince()} (waits use {@code nanoTime})
   */
  SinkDelivery(
      AlertSink sink,
      int capacity,
      Duration initialBackoff,
      Duration maxBackoff,
      MeterRegistry registry,
      Consumer<Alert> onDelivered,
      Clock clock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.name = Objects.requireNonNull(sink.name(), "sink name");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    if (initialBackoff.isNegative()
        || initialBackoff.isZero()
        || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must be positive and at most its maximum: "
              + initialBackoff
              + ", "
              + maxBackoff);
    }
    this.capacity = capacity;
    this.initialBackoffNanos = initialBackoff.toNanos();
    this.maxBackoffNanos = maxBackoff.toNanos();
    this.registry = Objects.requireNonNull(registry, "registry");
    this.onDelivered = Objects.requireNonNull(onDelivered, "onDelivered");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.meters =
        List.of(
            outcome("delivered", delivered),
            outcome("failed", failedAttempts),
            outcome("dropped", dropped),
            Gauge.builder(QUEUE, this, SinkDelivery::queued)
                .tag("sink", name)
                .description("alerts waiting for the sink, the one being delivered included")
                .strongReference(true)
                .register(registry));
    this.thread = Threads.daemon("pipekeeper-alerts-" + name, this::run);
  }

  private Meter outcome(String outcome, AtomicLong count) {
    return FunctionCounter.builder(DELIVERIES, count, AtomicLong::get)
        .tags("sink", name, "outcome", outcome)
        .description("alert deliveries to the sink: delivered, failed attempts, dropped when full")
        .register(registry);
  }

  String name() {
    return name;
  }

  /**
   * Starts the delivery thread; a second call does nothing.
   *
   * @throws IllegalStateException if closed
   */
  SinkDelivery start() {
    if (state.compareAndSet(State.LATENT, State.STARTED)) {
      thread.start();
    } else if (state.get() == State.CLOSED) {
      throw new IllegalStateException("delivery to alert sink " + name + " is closed");
    }
    return this;
  }

  /**
   * Queues {@code alert} for the sink without blocking.
   *
   * @return false if it was refused: the queue is full or this is closed; true if it is queued,
   *     replaced a waiting alert of its key, or is already being delivered
   */
  boolean offer(Alert alert) {
    String key = alert.key();
    boolean accepted;
    boolean startedRefusing = false;
    synchronized (lock) {
      if (state.get() == State.CLOSED) {
        return false;
      }
      if (waiting.containsKey(key)) {
        waiting.put(key, alert); // LinkedHashMap keeps the key's place
        return true;
      }
      boolean keyInFlight = inFlight != null && inFlight.key().equals(key);
      if (keyInFlight && inFlight.state() == alert.state()) {
        return true;
      }
      accepted = keyInFlight || distinctKeys() < capacity;
      if (accepted) {
        waiting.put(key, alert);
        lock.notifyAll();
      } else {
        dropped.incrementAndGet();
        refusedInStreak++;
        startedRefusing = !refusing;
        refusing = true;
      }
    }
    // One line when a full queue starts refusing and one when it has drained (delivered()), not
    // one per refusal: a full queue refuses at every evaluation until the sink catches up.
    if (startedRefusing) {
      LOG.warn(
          "alert sink {}: queue full (capacity {}); refusing new alerts until it drains (the"
              + " monitor offers them again)",
          name,
          capacity);
    }
    return accepted;
  }

  /** How deliveries are going now. */
  SinkStatus status() {
    synchronized (lock) {
      return new SinkStatus(
          name,
          delivered.get(),
          failedAttempts.get(),
          dropped.get(),
          queued(),
          Optional.ofNullable(failingSince),
          Optional.ofNullable(lastError));
    }
  }

  private int queued() {
    synchronized (lock) {
      return waiting.size() + (inFlight == null ? 0 : 1);
    }
  }

  private int distinctKeys() {
    boolean extra = inFlight != null && !waiting.containsKey(inFlight.key());
    return waiting.size() + (extra ? 1 : 0);
  }

  private boolean closed() {
    return state.get() == State.CLOSED;
  }

  private void run() {
    try {
      Alert next;
      while ((next = take()) != null) {
        deliverUntilDone(next);
      }
    } catch (InterruptedException e) {
      // close() interrupted a wait or the sink: the thread ends
    } catch (Throwable unexpected) {
      LOG.error(
          "alert sink {}: delivery thread failed; nothing more is delivered", name, unexpected);
    } finally {
      synchronized (lock) {
        inFlight = null;
      }
    }
  }

  /** Waits for the first queued alert and makes it the one in flight; null once closed. */
  private Alert take() throws InterruptedException {
    synchronized (lock) {
      while (!closed() && waiting.isEmpty()) {
        lock.wait();
      }
      if (closed()) {
        return null;
      }
      Iterator<Map.Entry<String, Alert>> first = waiting.entrySet().iterator();
      inFlight = first.next().getValue();
      first.remove();
      return inFlight;
    }
  }

  private void deliverUntilDone(Alert first) throws InterruptedException {
    Alert alert = first;
    long backoff = initialBackoffNanos;
    while (true) {
      Throwable failure = attempt(alert);
      if (failure == null) {
        delivered(alert);
        return;
      }
      failed(failure);
      long wait = backoff - ThreadLocalRandom.current().nextLong(backoff / 10 + 1);
      backoff = Math.min(maxBackoffNanos, backoff * 2);
      synchronized (lock) {
        long deadline = System.nanoTime() + wait;
        long left;
        while (!closed() && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
        if (closed()) {
          return;
        }
        Alert newer = waiting.remove(alert.key());
        if (newer != null) {
          alert = newer;
          inFlight = newer;
        }
      }
    }
  }

  /** One call of the sink; the failure, or null if it took the alert. */
  private Throwable attempt(Alert alert) throws InterruptedException {
    try {
      sink.deliver(alert);
      return null;
    } catch (Throwable failure) { // a sink's bug must not end the thread: it is retried too
      if (closed() && Thread.interrupted()) {
        throw new InterruptedException("closed during delivery");
      }
      return failure;
    }
  }

  private void failed(Throwable failure) {
    failedAttempts.incrementAndGet();
    String reason =
        failure instanceof DeliveryException && failure.getMessage() != null
            ? failure.getMessage()
            : failure.toString();
    boolean started;
    synchronized (lock) {
      lastError = reason;
      started = failingSince == null;
      if (started) {
        failingSince = clock.instant();
      }
    }
    if (started) {
      LOG.warn(
          "alert sink {} is failing, retrying with backoff up to {}: {}",
          name,
          Duration.ofNanos(maxBackoffNanos),
          reason);
    }
  }

  private void delivered(Alert alert) {
    delivered.incrementAndGet();
    Instant failedSince;
    synchronized (lock) {
      failedSince = failingSince;
      failingSince = null;
    }
    if (failedSince != null) {
      LOG.info("alert sink {} delivers again (it had been failing since {})", name, failedSince);
    }
    try {
      onDelivered.accept(alert);
    } catch (Throwable error) {
      // Not restoring an interrupt here: on this thread an interrupt means close().
      LOG.warn(
          "alert sink {}: recording the delivery of {} failed: {}",
          name,
          alert.key(),
          error.toString(),
          error);
    }
    long refused = 0;
    synchronized (lock) {
      inFlight = null;
      if (refusing && waiting.isEmpty()) {
        refused = refusedInStreak;
        refusing = false;
        refusedInStreak = 0;
      }
    }
    if (refused > 0) {
      LOG.info("alert sink {}: queue drained; it refused {} alerts while full", name, refused);
    }
  }

  /** Closes with the default grace for an attempt in flight. */
  @Override
  public void close() {
    close(CLOSE_GRACE);
  }

  /**
   * Stops the thread, waiting at most {@code grace} for an attempt in flight and then {@code grace}
   * more after interrupting it (a sink that ignores interrupts is left behind on its daemon
   * thread), closes the sink and removes the meters. A second call does nothing.
   */
  void close(Duration grace) {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    synchronized (lock) {
      waiting.clear();
      lock.notifyAll(); // wakes an idle wait or a backoff
    }
    if (previous == State.STARTED && Thread.currentThread() != thread) {
      try {
        thread.join(grace.toMillis());
        if (thread.isAlive()) {
          thread.interrupt();
          thread.join(grace.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("alert sink {} ignored the interrupt; its delivery thread is left behind", name);
      }
    }
    try {
      sink.close();
    } catch (Throwable error) {
      if (error instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("alert sink {}: close failed: {}", name, error.toString(), error);
    }
    meters.forEach(registry::remove);
  }
}
