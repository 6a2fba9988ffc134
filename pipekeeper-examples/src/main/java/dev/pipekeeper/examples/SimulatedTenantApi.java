package dev.pipekeeper.examples;

import dev.pipekeeper.examples.IngesterExample.Event;
import dev.pipekeeper.kafka.SourceBatch;
import dev.pipekeeper.kafka.WorkUnitSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A tenant's external system, simulated: it has had {@code eventsPerSecond} events a second since
 * the Unix epoch, numbered 1, 2, … (so every member sees the same events at the same time). The
 * position is the number of the last event read; a tenant read for the first time starts with the
 * events from now on. A poll waits, up to its timeout, for at least one new event (a long poll),
 * and returns at most {@value #MAX_BATCH}.
 */
public final class SimulatedTenantApi implements WorkUnitSource<String, Event> {
  static final int MAX_BATCH = 500;

  private final String tenant;
  private final Clock clock;
  private final int eventsPerSecond;

  public SimulatedTenantApi(String tenant, Clock clock, int eventsPerSecond) {
    if (eventsPerSecond < 1) {
      throw new IllegalArgumentException("eventsPerSecond must be at least 1");
    }
    this.tenant = tenant;
    this.clock = clock;
    this.eventsPerSecond = eventsPerSecond;
  }

  /** The number of the newest event the system has now. */
  long newest() {
    return clock.millis() * eventsPerSecond / 1000;
  }

  @Override
  public SourceBatch<String, Event> poll(Optional<String> position, Duration timeout) {
    long last = position.map(Long::parseLong).orElseGet(this::newest);
    long deadline = System.nanoTime() + timeout.toNanos();
    long newest = newest();
    while (newest <= last && System.nanoTime() < deadline) {
      // simulated latency of the external system: until its next event is due
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, 1000 / eventsPerSecond)));
      newest = newest();
    }
    long upTo = Math.min(newest, last + MAX_BATCH);
    List<Map.Entry<String, Event>> events = new ArrayList<>();
    for (long seq = last + 1; seq <= upTo; seq++) {
      events.add(Map.entry(tenant, new Event(tenant, seq, tenant + " event " + seq)));
    }
    return new SourceBatch<>(events, Long.toString(Math.max(last, upTo)));
  }
}
