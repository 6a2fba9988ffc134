package dev.pipekeeper.core.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single named daemon thread that runs tasks one at a time, in order. A task that throws is
 * logged and does not stop later tasks; an interrupt is restored. This is where Pipekeeper runs
 * user callbacks, so they never run on Curator's event thread and cannot hurt each other.
 */
public final class Serial implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Serial.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final String name;
  private final ExecutorService executor;

  public Serial(String name) {
    this.name = name + "-" + SEQUENCE.incrementAndGet();
    this.executor = Executors.newSingleThreadExecutor(Threads.named(this.name));
  }

  /** Runs {@code task} later on this thread; after close, the task is dropped. */
  public void execute(String what, Runnable task) {
    try {
      executor.execute(() -> run(what, task));
    } catch (RejectedExecutionException closed) {
      LOG.debug("{}: dropped '{}' after close", name, what);
    }
  }

  private void run(String what, Runnable task) {
    try {
      task.run();
    } catch (Throwable error) {
      if (error instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("{}: {} failed: {}", name, what, error.toString(), error);
    }
  }

  /**
   * Runs {@code task} on this thread, at once when called on it (a task waiting for a later one
   * would wait forever), and completes the future when it has run, or exceptionally with what it
   * threw, which is the caller's to report and is not logged here. After close the task is dropped
   * and the future completes at once.
   */
  public CompletableFuture<Void> call(String what, Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable tracked =
        () -> {
          try {
            task.run();
            done.complete(null);
          } catch (Throwable error) {
            done.completeExceptionally(error);
          }
        };
    if (isCurrentThread()) {
      tracked.run();
      return done;
    }
    try {
      executor.execute(tracked);
    } catch (RejectedExecutionException closed) {
      LOG.debug("{}: dropped '{}' after close", name, what);
      done.complete(null);
    }
    return done;
  }

  /** This thread as an {@link java.util.concurrent.Executor} for Curator's listener APIs. */
  public java.util.concurrent.Executor executor(String what) {
    return task -> execute(what, task);
  }

  /** Whether the caller runs on this thread. */
  public boolean isCurrentThread() {
    return Thread.currentThread().getName().equals(name);
  }

  /** Runs what was queued (bounded), then stops the thread. */
  public void close(Duration wait) {
    executor.shutdown();
    try {
      if (!isCurrentThread()
          && !executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
