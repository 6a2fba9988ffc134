package dev.pipekeeper.core.assignment;

import dev.pipekeeper.core.InvalidInputException;
import java.time.Duration;

/**
 * Settings of a {@link GroupWorker}. Immutable; each {@code with...} returns a copy.
 *
 * @param debounce how long the group's leader waits for changes to settle before it computes a new
 *     assignment: a burst of joins (or unit changes) within this window causes one rebalance
 *     (default 500 ms). A member that dies, leaves or stops taking work is not waited for: its
 *     units are down until they move, so the leader rebalances at once
 * @param maxDelay the longest the leader postpones a rebalance while changes keep coming (default 5
 *     s)
 * @param stopTimeout how long {@link UnitHandler#stop} may take before the ownership is given up
 *     anyway; keep it below a third of the session timeout, so that a member cut off from ZooKeeper
 *     has stopped before its session can expire (default 1 s). It bounds {@link UnitHandler#start}
 *     too: the worker waits that long for a start to return, then logs it and counts the unit as
 *     started (the start goes on running, and the unit's stop runs after it)
 */
public record WorkerOptions(Duration debounce, Duration maxDelay, Duration stopTimeout) {

  public WorkerOptions {
    positive("debounce", debounce, true);
    positive("maxDelay", maxDelay, true);
    positive("stopTimeout", stopTimeout, false);
    if (maxDelay.compareTo(debounce) < 0) {
      throw new InvalidInputException(
          "maxDelay ("
              + maxDelay.toMillis()
              + " ms) must not be below debounce ("
              + debounce.toMillis()
              + " ms)");
    }
  }

  public static WorkerOptions defaults() {
    return new WorkerOptions(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(1));
  }

  public WorkerOptions withDebounce(Duration value) {
    Duration max = maxDelay.compareTo(value) < 0 ? value : maxDelay;
    return new WorkerOptions(value, max, stopTimeout);
  }

  public WorkerOptions withMaxDelay(Duration value) {
    return new WorkerOptions(debounce, value, stopTimeout);
  }

  public WorkerOptions withStopTimeout(Duration value) {
    return new WorkerOptions(debounce, maxDelay, value);
  }

  private static void positive(String name, Duration value, boolean zeroAllowed) {
    if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
      throw new InvalidInputException(
          name + " must be " + (zeroAllowed ? "zero or more" : "positive") + ", not " + value);
    }
  }
}
