package dev.pipekeeper.core.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A condition threads wait for: whoever changes what it tests calls {@link #signal()}, and waiters
 * test it again then, and at least every {@code recheck} besides (so a change made without a signal
 * is seen too). Thread-safe.
 */
public final class Await {
  private final Object lock = new Object();
  private final long recheckMillis;

  public Await(Duration recheck) {
    if (recheck.toMillis() <= 0) {
      throw new IllegalArgumentException("recheck must be at least a millisecond: " + recheck);
    }
    this.recheckMillis = recheck.toMillis();
  }

  /** Wakes the waiters to test their condition again. */
  public void signal() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /**
   * Blocks until {@code condition} holds or {@code timeout} passed; tests it at once first, so a
   * zero timeout only tests. An interrupt ends the wait with the thread's interrupt flag set.
   *
   * @return whether the condition held; false on timeout or interrupt
   */
  public boolean until(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          lock.wait(Math.min(left, recheckMillis));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }
}
