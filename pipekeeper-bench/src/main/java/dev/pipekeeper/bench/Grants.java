package dev.pipekeeper.bench;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Leadership grants as contenders' callbacks report them, each with the {@link System#nanoTime()}
 * of the callback, for takeover timings.
 */
final class Grants {
  /** One contender, by label, was granted leadership at {@code nanos}. */
  record Grant(String label, long nanos) {}

  private final BlockingQueue<Grant> grants = new LinkedBlockingQueue<>();

  /** Called from a contender's grant callback. */
  void granted(String label) {
    grants.add(new Grant(label, System.nanoTime()));
  }

  /**
   * The next grant.
   *
   * @throws IllegalStateException if none came within {@code timeout}
   */
  Grant next(Duration timeout) throws InterruptedException {
    Grant grant = grants.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (grant == null) {
      throw new IllegalStateException("no leader was granted within " + timeout.toMillis() + " ms");
    }
    return grant;
  }

  /**
   * Waits until {@code registered} reports {@code expected} contenders (their election nodes
   * exist), polling every 5 ms.
   *
   * @throws IllegalStateException if they did not within 30 s
   */
  static void awaitContenders(IntSupplier registered, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int seen;
    while ((seen = registered.getAsInt()) != expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(seen + " contenders registered, not " + expected);
      }
      Thread.sleep(5);
    }
  }
}
