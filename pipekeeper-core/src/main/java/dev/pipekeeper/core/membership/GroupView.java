package dev.pipekeeper.core.membership;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A live view of a group's members, kept by watches (one persistent recursive watch, no polling).
 * Thread-safe; close it when done.
 */
public interface GroupView extends AutoCloseable {

  String group();

  /** The members as last seen, sorted by id. Malformed member nodes are skipped (and logged). */
  List<MemberRecord> members();

  /** Adds a listener for later changes (members already present are not replayed). */
  void addListener(GroupListener listener);

  /**
   * Waits until the members satisfy {@code condition}.
   *
   * @return whether they did within {@code timeout}
   */
  boolean awaitMembers(Predicate<List<MemberRecord>> condition, Duration timeout);

  @Override
  void close();
}
