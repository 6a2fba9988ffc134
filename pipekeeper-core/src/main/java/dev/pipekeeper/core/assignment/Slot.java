package dev.pipekeeper.core.assignment;

import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.MemberState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A live member as the assigner sees it.
 *
 * @param memberId the member
 * @param capacity the most total unit weight it may run
 * @param tags its tags, for tag pins
 */
public record Slot(String memberId, int capacity, Map<String, String> tags) {
  public Slot {
    tags = Map.copyOf(tags);
  }

  /**
   * The members that may run work, as the group's leader plans with them: those RUNNING and not
   * drained.
   *
   * @param members the group's live members
   * @param drained the ids of drained members
   */
  public static List<Slot> eligible(Collection<MemberRecord> members, Set<String> drained) {
    List<Slot> slots = new ArrayList<>();
    for (MemberRecord member : members) {
      if (member.state() == MemberState.RUNNING && !drained.contains(member.id())) {
        slots.add(new Slot(member.id(), member.capacity(), member.tags()));
      }
    }
    return slots;
  }

  /** Whether this member carries the tag {@code key=value}. */
  boolean hasTag(String keyEqualsValue) {
    int eq = keyEqualsValue.indexOf('=');
    return keyEqualsValue.substring(eq + 1).equals(tags.get(keyEqualsValue.substring(0, eq)));
  }
}
