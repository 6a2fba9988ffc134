package dev.pipekeeper.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ownership checker: handlers of every member of a test record into one log, in one total order
 * (the members run in this JVM), from the moment {@code start} is entered to the moment {@code
 * stop} returns. {@link #check()} fails if a unit ever ran on two members at once, and shows the
 * whole history.
 */
public final class OwnershipLog {
  /** One event. */
  public record Event(long seq, String member, String unit, String kind, String thread) {}

  private final List<Event> events = new ArrayList<>();
  private final Map<String, String> runningOn = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private long seq;

  /** A handler for {@code member} that records into this log. */
  public Handler handler(String member) {
    return new Handler(member);
  }

  private synchronized void started(String member, String unit) {
    events.add(new Event(++seq, member, unit, "start", Thread.currentThread().getName()));
    String other = runningOn.get(unit);
    if (other != null) {
      violations.add(
          "seq " + seq + ": " + member + " started " + unit + " while it runs on " + other);
    }
    runningOn.put(unit, member);
  }

  private synchronized void stopped(String member, String unit) {
    events.add(new Event(++seq, member, unit, "stop", Thread.currentThread().getName()));
    runningOn.remove(unit, member);
  }

  /** Unit → the member running it now. */
  public synchronized Map<String, String> running() {
    return new TreeMap<>(runningOn);
  }

  /** The units running on {@code member} now. */
  public synchronized Set<String> runningOn(String member) {
    Set<String> units = new TreeSet<>();
    runningOn.forEach(
        (unit, owner) -> {
          if (owner.equals(member)) {
            units.add(unit);
          }
        });
    return units;
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** How many times {@code member} stopped a unit. */
  public synchronized long stops(String member) {
    return events.stream()
        .filter(e -> e.member().equals(member) && e.kind().equals("stop"))
        .count();
  }

  /** No unit ever ran on two members at once; every handler call ran on a Pipekeeper thread. */
  public synchronized void check() {
    String history = String.join("\n", events.stream().map(Event::toString).toList());
    assertThat(violations).as("double ownership\n%s", history).isEmpty();
    assertThat(events)
        .as("handler calls run on Pipekeeper's unit threads\n%s", history)
        .allSatisfy(e -> assertThat(e.thread()).startsWith("pipekeeper-unit-"));
  }

  /** A recording handler, with faults a test can switch on. */
  public final class Handler implements UnitHandler {
    private final String member;
    private final Map<String, AtomicInteger> failStarts = new ConcurrentHashMap<>();
    private volatile CountDownLatch stopBlocker;
    private volatile long stopMillis;

    Handler(String member) {
      this.member = member;
    }

    /** The next {@code times} starts of {@code unit} throw. */
    public Handler failStarts(String unit, int times) {
      failStarts.put(unit, new AtomicInteger(times));
      return this;
    }

    /** Every stop takes this long (the unit's work winds down) before it returns. */
    public Handler slowStops(java.time.Duration time) {
      stopMillis = time.toMillis();
      return this;
    }

    /** Every stop hangs (after recording) until {@link #unblockStops()} (or 60 s). */
    public Handler blockStops() {
      stopBlocker = new CountDownLatch(1);
      return this;
    }

    public void unblockStops() {
      CountDownLatch blocker = stopBlocker;
      if (blocker != null) {
        blocker.countDown();
      }
    }

    @Override
    public void start(UnitOwnership unit) {
      AtomicInteger failures = failStarts.get(unit.unit());
      if (failures != null && failures.getAndDecrement() > 0) {
        throw new IllegalStateException("start of " + unit.unit() + " failed on purpose");
      }
      started(member, unit.unit());
    }

    @Override
    public void stop(UnitOwnership unit) {
      if (stopMillis > 0) {
        try {
          Thread.sleep(stopMillis); // the work winding down, still running
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      stopped(member, unit.unit());
      CountDownLatch blocker = stopBlocker;
      if (blocker != null) {
        // The unit's work has stopped; its clean-up hangs past the bound.
        try {
          blocker.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
