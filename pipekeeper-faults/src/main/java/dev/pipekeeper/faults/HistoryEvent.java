package dev.pipekeeper.faults;

import java.util.Objects;

/**
 * One thing a process of a fault scenario did or saw, as it records it in its history.
 *
 * @param process the process that recorded it (its member id)
 * @param seq its place in that process's history, from 1, without gaps
 * @param wallMillis the process's wall clock when it recorded it (not an order across processes)
 * @param kind what happened
 * @param resource what it happened to: a role, a group, a lock or a store
 * @param token the epoch (leadership, publications) or fencing token (locks, stores)
 * @param order ZooKeeper's order of the event among those of its resource, where it has one: the
 *     generation of a publication, the store node's version after an accepted write; 0 otherwise
 */
public record HistoryEvent(
    String process, long seq, long wallMillis, Kind kind, String resource, long token, long order) {

  /** What a process records. */
  public enum Kind {
    /** Leadership of role {@code resource} granted with epoch {@code token}. */
    GRANTED,
    /** That lease ended (revoked, lost or resigned). */
    REVOKED,
    /**
     * Group {@code resource}'s assignment published as generation {@code order} under epoch {@code
     * token}.
     */
    PUBLISHED,
    /** Lock {@code resource} acquired with fencing token {@code token}. */
    LOCKED,
    /** That lock released, or found lost. */
    UNLOCKED,
    /**
     * Store {@code resource} accepted a write under token {@code token}, making its version {@code
     * order}.
     */
    STORE_WRITE,
    /**
     * Store {@code resource} refused a write under token {@code token}: it had seen token {@code
     * order}.
     */
    STORE_REFUSED,
    /**
     * The process's member view of the configuration applied scope {@code resource} (its path) at
     * version {@code token}.
     */
    CONFIG_APPLIED
  }

  public HistoryEvent {
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(resource, "resource");
  }
}
