package dev.pipekeeper.core.assignment;

import java.util.Map;

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

  /** Whether this member carries the tag {@code key=value}. */
  boolean hasTag(String keyEqualsValue) {
    int eq = keyEqualsValue.indexOf('=');
    return keyEqualsValue.substring(eq + 1).equals(tags.get(keyEqualsValue.substring(0, eq)));
  }
}
