package dev.pipekeeper.core.membership;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a member says of itself when it joins: an optional id (by default one is generated),
 * capacity, tags and version. Immutable; each {@code with...} returns a copy.
 *
 * <pre>{@code
 * MemberInfo info = MemberInfo.withCapacity(4).tag("zone", "a").version("1.4.2");
 * }</pre>
 */
public final class MemberInfo {
  /**
   * The capacity of a member that sets none: no limit, and an equal share with other such members.
   */
  public static final int UNBOUNDED = Integer.MAX_VALUE;

  private final Optional<String> id;
  private final int capacity;
  private final Map<String, String> tags;
  private final String version;
  private final MemberState initialState;

  private MemberInfo(
      Optional<String> id,
      int capacity,
      Map<String, String> tags,
      String version,
      MemberState initialState) {
    this.id = id;
    this.capacity = capacity;
    this.tags = Map.copyOf(tags);
    this.version = version;
    this.initialState = initialState;
  }

  /**
   * Capacity {@link #UNBOUNDED}, no tags, state RUNNING, and as version Pipekeeper's own ({@link
   * Pipekeeper#version()}); an application publishes its own with {@link #version(String)}.
   */
  public static MemberInfo defaults() {
    return new MemberInfo(
        Optional.empty(), UNBOUNDED, Map.of(), Pipekeeper.version(), MemberState.RUNNING);
  }

  /**
   * @throws InvalidInputException if capacity is below 1
   */
  public static MemberInfo withCapacity(int capacity) {
    return defaults().capacity(capacity);
  }

  /** A fixed member id (it must be unique in the group while the member is alive). */
  public MemberInfo id(String id) {
    return new MemberInfo(Optional.of(id), capacity, tags, version, initialState);
  }

  /**
   * The most total work-unit weight this member runs, which is also its share of a group's work
   * relative to the other members' capacities (default {@link #UNBOUNDED}). Give every member of a
   * group a capacity, or none: an unbounded member's share dwarfs any bounded one's.
   *
   * @throws InvalidInputException if capacity is below 1
   */
  public MemberInfo capacity(int capacity) {
    if (capacity < 1) {
      throw new InvalidInputException("capacity must be at least 1, not " + capacity);
    }
    return new MemberInfo(id, capacity, tags, version, initialState);
  }

  public MemberInfo tag(String key, String value) {
    Map<String, String> copy = new TreeMap<>(tags);
    copy.put(key, value);
    return new MemberInfo(id, capacity, copy, version, initialState);
  }

  /** The version this member publishes, e.g. the application's (default: Pipekeeper's). */
  public MemberInfo version(String version) {
    return new MemberInfo(id, capacity, tags, version, initialState);
  }

  /** The state the member joins in (default RUNNING; STARTING for members that warm up first). */
  public MemberInfo initialState(MemberState state) {
    return new MemberInfo(id, capacity, tags, version, state);
  }

  public Optional<String> id() {
    return id;
  }

  public int capacity() {
    return capacity;
  }

  public Map<String, String> tags() {
    return tags;
  }

  public String version() {
    return version;
  }

  public MemberState initialState() {
    return initialState;
  }
}
