package dev.pipekeeper.core.monitor;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a consumer group stands on one partition, as the broker says.
 *
 * @param committed the group's committed offset (the next record it will consume)
 * @param end the partition's end offset (the offset the next record written gets)
 * @param oldestUnconsumed the timestamp of the record at the committed offset, when there is one
 */
public record PartitionOffsets(long committed, long end, Optional<Instant> oldestUnconsumed) {

  public PartitionOffsets {
    oldestUnconsumed = oldestUnconsumed == null ? Optional.empty() : oldestUnconsumed;
  }

  /** Records written and not yet consumed by the group. */
  public long lag() {
    return Math.max(0, end - committed);
  }
}
