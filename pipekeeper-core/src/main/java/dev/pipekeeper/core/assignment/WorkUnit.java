package dev.pipekeeper.core.assignment;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import java.util.Optional;

/**
 * A named piece of work that is not a Kafka partition (a tenant to poll, a file to ingest, an
 * endpoint to scrape), with a weight and an optional pin.
 *
 * @param name unique in its group
 * @param weight how much capacity it takes (at least 1)
 * @param pinnedMember the only member that may run it, if pinned to a member
 * @param pinnedTag a {@code key=value} tag a member must have to run it, if pinned to a tag
 */
public record WorkUnit(
    String name, int weight, Optional<String> pinnedMember, Optional<String> pinnedTag) {

  public WorkUnit {
    Names.check("work unit", name);
    if (weight < 1) {
      throw new InvalidInputException(
          "work unit " + name + ": weight must be at least 1, not " + weight);
    }
    if (pinnedMember.isPresent() && pinnedTag.isPresent()) {
      throw new InvalidInputException(
          "work unit " + name + ": pin to a member or to a tag, not both");
    }
    pinnedTag.ifPresent(
        tag -> {
          if (tag.indexOf('=') < 1) {
            throw new InvalidInputException(
                "work unit " + name + ": tag pin '" + tag + "' must be written key=value");
          }
        });
  }

  /** An unpinned unit of weight 1. */
  public static WorkUnit of(String name) {
    return new WorkUnit(name, 1, Optional.empty(), Optional.empty());
  }

  public WorkUnit withWeight(int newWeight) {
    return new WorkUnit(name, newWeight, pinnedMember, pinnedTag);
  }

  public WorkUnit pinnedTo(String memberId) {
    return new WorkUnit(name, weight, Optional.of(memberId), Optional.empty());
  }

  public WorkUnit pinnedToTag(String keyEqualsValue) {
    return new WorkUnit(name, weight, Optional.empty(), Optional.of(keyEqualsValue));
  }

  public boolean isPinned() {
    return pinnedMember.isPresent() || pinnedTag.isPresent();
  }
}
