package dev.pipekeeper.core.membership;

import java.time.Instant;
import java.util.Map;

/**
 * A member as stored in ZooKeeper (JSON in {@code members/GROUP/ID}).
 *
 * @param id unique in its group while alive
 * @param group the group
 * @param host the host name it runs on
 * @param pid its process id
 * @param version the version it reported
 * @param startedAt when it joined
 * @param capacity the most total work-unit weight it runs, and its share relative to others ({@link
 *     MemberInfo#UNBOUNDED} if it set none)
 * @param tags free-form labels (zone, rack, ...)
 * @param state its lifecycle state
 */
public record MemberRecord(
    String id,
    String group,
    String host,
    long pid,
    String version,
    Instant startedAt,
    int capacity,
    Map<String, String> tags,
    MemberState state) {

  public MemberRecord {
    tags = Map.copyOf(tags);
  }

  /** A copy in another state. */
  public MemberRecord withState(MemberState newState) {
    return new MemberRecord(id, group, host, pid, version, startedAt, capacity, tags, newState);
  }
}
