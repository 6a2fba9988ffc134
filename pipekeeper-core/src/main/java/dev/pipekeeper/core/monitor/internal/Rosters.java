package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.MemberState;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The monitor's memory of each group's members: who was there in which state, and who left without
 * a graceful leave (DRAINING, or STOPPING as a closing member says before it leaves). Kept from the
 * member watch's events, so a STOPPING that lasts milliseconds is still seen, and stored in {@code
 * alerts/roster/GROUP} so a monitor that takes over knows who left while nobody watched.
 */
final class Rosters {
  /** A member that left without a graceful leave. */
  record Departure(MemberState lastState, Instant at, int groupSize, Instant startedAt) {}

  /** One group's memory, as stored. */
  record Roster(Map<String, MemberState> members, Map<String, Departure> departed) {
    Roster {
      members = members == null ? Map.of() : Map.copyOf(members);
      departed = departed == null ? Map.of() : Map.copyOf(departed);
    }
  }

  private final Clock clock;
  private final Map<String, Map<String, MemberState>> members = new TreeMap<>();
  private final Map<String, Instant> startedAt = new java.util.HashMap<>();
  private final Map<String, Map<String, Departure>> departed = new TreeMap<>();
  private final Set<String> dirty = new HashSet<>();

  Rosters(Clock clock) {
    this.clock = clock;
  }

  /** Starts from what a previous monitor stored. */
  synchronized void load(Map<String, Roster> stored) {
    members.clear();
    departed.clear();
    dirty.clear();
    stored.forEach(
        (group, roster) -> {
          members.put(group, new TreeMap<>(roster.members()));
          departed.put(group, new TreeMap<>(roster.departed()));
        });
  }

  /**
   * After the member watch's first load: members the stored roster has that are gone now left while
   * no monitor watched.
   */
  synchronized void reconcile(Map<String, Map<String, MemberRecord>> live) {
    Instant now = clock.instant();
    for (Map.Entry<String, Map<String, MemberState>> g : members.entrySet()) {
      Map<String, MemberRecord> alive = live.getOrDefault(g.getKey(), Map.of());
      int size = g.getValue().size();
      for (Map.Entry<String, MemberState> m : Map.copyOf(g.getValue()).entrySet()) {
        if (!alive.containsKey(m.getKey())) {
          left(g.getKey(), m.getKey(), m.getValue(), size, now);
        }
      }
    }
    live.forEach(
        (group, alive) ->
            alive.values().forEach(r -> seen(group, r.id(), r.state(), r.startedAt())));
  }

  /** A member watch event. */
  synchronized void changed(String group, String id, MemberRecord before, MemberRecord after) {
    if (after != null) {
      seen(group, id, after.state(), after.startedAt());
    } else if (before != null) {
      Map<String, MemberState> g = members.getOrDefault(group, Map.of());
      MemberState last = g.getOrDefault(id, before.state());
      left(group, id, last, g.size(), clock.instant());
    }
  }

  private void seen(String group, String id, MemberState state, Instant started) {
    if (started != null) {
      startedAt.put(group + "/" + id, started);
    }
    MemberState old = members.computeIfAbsent(group, x -> new TreeMap<>()).put(id, state);
    if (old != state) {
      dirty.add(group);
    }
    Map<String, Departure> gone = departed.get(group);
    if (gone != null && gone.remove(id) != null) {
      dirty.add(group);
    }
  }

  private void left(String group, String id, MemberState last, int sizeBefore, Instant now) {
    Map<String, MemberState> g = members.get(group);
    if (g != null) {
      g.remove(id);
    }
    Instant started = startedAt.remove(group + "/" + id);
    if (last != MemberState.DRAINING && last != MemberState.STOPPING) {
      departed
          .computeIfAbsent(group, x -> new TreeMap<>())
          .put(id, new Departure(last, now, sizeBefore, started));
    }
    dirty.add(group);
  }

  /**
   * Who left without a graceful leave and has not been replaced: a departure ends when the member
   * comes back or the group is as large again as before it left.
   */
  synchronized Map<String, Map<String, Departure>> departures() {
    Map<String, Map<String, Departure>> out = new TreeMap<>();
    departed.forEach(
        (group, gone) -> {
          int size = members.getOrDefault(group, Map.of()).size();
          if (gone.values().removeIf(d -> size >= d.groupSize())) {
            dirty.add(group);
          }
          if (!gone.isEmpty()) {
            out.put(group, Map.copyOf(gone));
          }
        });
    return out;
  }

  /** Forgets a departure (it was planned after all). */
  synchronized void forget(String group, String id) {
    Map<String, Departure> gone = departed.get(group);
    if (gone != null && gone.remove(id) != null) {
      dirty.add(group);
    }
  }

  /** The groups changed since the last call, with their rosters now. */
  synchronized Map<String, Roster> takeDirty() {
    Map<String, Roster> out = new TreeMap<>();
    for (String group : dirty) {
      out.put(
          group,
          new Roster(
              members.getOrDefault(group, Map.of()), departed.getOrDefault(group, Map.of())));
    }
    dirty.clear();
    return out;
  }

  /** Marks groups to be written again (their write failed). */
  synchronized void markDirty(Set<String> groups) {
    dirty.addAll(groups);
  }
}
