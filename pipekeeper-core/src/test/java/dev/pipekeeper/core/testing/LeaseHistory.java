package dev.pipekeeper.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.LeaseListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every grant, suspension and revocation of leases (and the leader-only work done under
 * them) with timestamps, and checks the history: no two valid leases of a role overlap, epochs
 * strictly increase from grant to grant, and nothing is done under a lease after it ended.
 */
public final class LeaseHistory {
  /** One event. */
  public record Event(long nanos, String holder, long epoch, String kind) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();

  /** A listener that records the events of {@code holder}'s leadership. */
  public LeaseListener listener(String holder) {
    return new LeaseListener() {
      @Override
      public void granted(Lease lease) {
        record(holder, lease.epoch(), "granted");
      }

      @Override
      public void suspended(Lease lease) {
        record(holder, lease.epoch(), "suspended");
      }

      @Override
      public void revoked(Lease lease) {
        record(holder, lease.epoch(), "revoked");
      }
    };
  }

  /** Records leader-only work done under {@code lease}, if the lease is valid at this moment. */
  public boolean work(String holder, Lease lease) {
    // The time is taken before the check: work that saw a valid lease happened before its end.
    long now = System.nanoTime();
    if (!lease.isValid()) {
      return false;
    }
    events.add(new Event(now, holder, lease.epoch(), "work"));
    return true;
  }

  public void record(String holder, long epoch, String kind) {
    events.add(new Event(System.nanoTime(), holder, epoch, kind));
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  public long grants() {
    return events.stream().filter(e -> e.kind().equals("granted")).count();
  }

  /** Checks the rules; the message of a failure shows the whole history. */
  public void check() {
    List<Event> all = new ArrayList<>(events);
    all.sort((x, y) -> Long.compare(x.nanos(), y.nanos()));
    String history = String.join("\n", all.stream().map(Event::toString).toList());

    // Epochs strictly increase in the order leases were granted.
    long last = 0;
    for (Event e : all) {
      if (e.kind().equals("granted")) {
        assertThat(e.epoch()).as("epochs must strictly increase\n%s", history).isGreaterThan(last);
        last = e.epoch();
      }
    }

    // Each lease's validity runs from its grant (or the first work seen under it, since the
    // grant is recorded by a listener a moment after the lease became valid) to its first
    // suspension or revocation.
    Map<Long, long[]> intervals = new LinkedHashMap<>();
    Map<Long, String> holders = new LinkedHashMap<>();
    for (Event e : all) {
      switch (e.kind()) {
        case "granted", "work" -> {
          long[] interval = intervals.get(e.epoch());
          if (interval == null) {
            intervals.put(e.epoch(), new long[] {e.nanos(), Long.MAX_VALUE});
            holders.put(e.epoch(), e.holder());
          }
        }
        case "suspended", "revoked" -> {
          long[] interval = intervals.get(e.epoch());
          assertThat(interval)
              .as("end of epoch %d without a start\n%s", e.epoch(), history)
              .isNotNull();
          if (interval[1] == Long.MAX_VALUE) {
            interval[1] = e.nanos();
          }
        }
        default -> throw new IllegalStateException(e.kind());
      }
    }
    for (Event e : all) {
      if (e.kind().equals("work")) {
        assertThat(holders.get(e.epoch()))
            .as("work of epoch %d by another holder\n%s", e.epoch(), history)
            .isEqualTo(e.holder());
        assertThat(e.nanos())
            .as("work of epoch %d after its lease ended\n%s", e.epoch(), history)
            .isLessThanOrEqualTo(intervals.get(e.epoch())[1]);
      }
    }
    List<Long> epochs = new ArrayList<>(intervals.keySet());
    for (int i = 0; i < epochs.size(); i++) {
      for (int j = i + 1; j < epochs.size(); j++) {
        long[] a = intervals.get(epochs.get(i));
        long[] b = intervals.get(epochs.get(j));
        boolean overlap = a[0] < b[1] && b[0] < a[1];
        assertThat(overlap)
            .as(
                "leases of epoch %d (%s) and %d (%s) overlap\n%s",
                epochs.get(i),
                holders.get(epochs.get(i)),
                epochs.get(j),
                holders.get(epochs.get(j)),
                history)
            .isFalse();
      }
    }
  }
}
