package dev.pipekeeper.app.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tells a long-running command (such as {@code local}) to stop, and lets the stopper wait until the
 * command has cleaned up. The JVM's version is triggered by Ctrl-C or SIGTERM; tests trigger their
 * own.
 */
public final class ShutdownSignal {
  private static final long CLEANUP_WAIT_SECONDS = 60;

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  /** A signal triggered by the JVM's shutdown (Ctrl-C, SIGTERM), which then waits for cleanup. */
  public static ShutdownSignal onJvmShutdown() {
    ShutdownSignal signal = new ShutdownSignal();
    Runtime.getRuntime().addShutdownHook(new Thread(signal::triggerAndWait, "pipekeeper-shutdown"));
    return signal;
  }

  /** Asks the command to stop. */
  public void trigger() {
    requested.countDown();
  }

  /** Asks the command to stop and waits (bounded) until it has finished cleaning up. */
  public void triggerAndWait() {
    trigger();
    try {
      finished.await(CLEANUP_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks the command until a stop is requested. */
  void awaitRequest() throws InterruptedException {
    requested.await();
  }

  /** Blocks the command until a stop is requested or {@code millis} passed; whether it was. */
  boolean awaitRequest(long millis) throws InterruptedException {
    return requested.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Called by the command once it has cleaned up. */
  void finished() {
    finished.countDown();
  }

  /** Whether the command has finished cleaning up. */
  public boolean isFinished() {
    return finished.getCount() == 0;
  }
}
