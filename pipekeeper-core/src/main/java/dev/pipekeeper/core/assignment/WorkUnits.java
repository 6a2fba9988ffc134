package dev.pipekeeper.core.assignment;

import java.util.List;
import java.util.Optional;

/**
 * The work units of one group, stored in ZooKeeper ({@code units/GROUP/UNIT}); units can be added,
 * changed, pinned and removed at runtime. Thread-safe.
 */
public interface WorkUnits {

  String group();

  /**
   * Adds a unit, or replaces the weight and pin of an existing one.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the unit is not valid
   */
  void put(WorkUnit unit);

  /**
   * Removes a unit.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if there is no such unit
   */
  void remove(String name);

  Optional<WorkUnit> get(String name);

  /** Every unit, sorted by name; malformed unit nodes are skipped (and logged). */
  List<WorkUnit> list();

  /**
   * Pins a unit to a member.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if there is no such unit
   */
  void pin(String name, String memberId);

  /**
   * Pins a unit to the members with a tag {@code key=value}.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if there is no such unit or the tag is
   *     malformed
   */
  void pinToTag(String name, String keyEqualsValue);

  /**
   * Unpins a unit.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if there is no such unit
   */
  void unpin(String name);
}
