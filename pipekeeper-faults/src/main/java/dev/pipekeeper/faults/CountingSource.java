package dev.pipekeeper.faults;

import dev.pipekeeper.kafka.SourceBatch;
import dev.pipekeeper.kafka.WorkUnitSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The external system of one work unit of the SHARDED {@link PipelineScenario}: unit {@code U}
 * holds the records {@code U-1} … {@code U-N}, which arrive at an even pace from a start time every
 * process agrees on (so whichever instance owns the unit, after whatever fault, sees the same
 * records); the position is the number of the last record read. A poll hands out what has arrived
 * after the position, at most 50, waiting up to its timeout for the next one.
 */
final class CountingSource implements WorkUnitSource<String, String> {
  private final String unit;
  private final int total;
  private final long startMillis;
  private final long paceMillis;

  CountingSource(String unit, int total, long startMillis, long paceMillis) {
    this.unit = unit;
    this.total = total;
    this.startMillis = startMillis;
    this.paceMillis = Math.max(1, paceMillis);
  }

  /** How many of the unit's records have arrived by now. */
  private int arrived() {
    long elapsed = System.currentTimeMillis() - startMillis;
    return (int) Math.max(0, Math.min(total, elapsed / paceMillis));
  }

  @Override
  public SourceBatch<String, String> poll(Optional<String> position, Duration timeout) {
    int last = position.map(Integer::parseInt).orElse(0);
    long deadline = System.nanoTime() + timeout.toNanos();
    int arrived = arrived();
    while (arrived <= last && last < total && System.nanoTime() < deadline) {
      // the external system's next record is not there yet: wait for its arrival time
      long next = startMillis + (last + 1) * paceMillis - System.currentTimeMillis();
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.min(next, left))));
      arrived = arrived();
    }
    List<Map.Entry<String, String>> records = new ArrayList<>();
    int next = last;
    while (next < Math.min(arrived, last + 50)) {
      next++;
      records.add(Map.entry(unit, unit + "-" + next));
    }
    return new SourceBatch<>(records, Integer.toString(next));
  }
}
