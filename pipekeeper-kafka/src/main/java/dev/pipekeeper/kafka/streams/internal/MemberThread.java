package dev.pipekeeper.kafka.streams.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streams member's own thread: tasks run on it one at a time, in the order given, and what they
 * throw is logged (or handed to the caller that waits for them). A task given after {@link #stop()}
 * is dropped. Thread-safe.
 */
final class MemberThread {
  // The member's logger: these lines are the member's.
  private static final Logger LOG = LoggerFactory.getLogger(DefaultStreamsMember.class);

  /** Beyond the close timeout: how long a caller waits for the member's thread to get there. */
  static final Duration GRACE = Duration.ofSeconds(5);

  private final String memberId;
  private final String group;
  private final Duration closeTimeout;
  private final ExecutorService executor;
  private volatile Thread thread;

  MemberThread(String memberId, String group, Duration closeTimeout) {
    this.memberId = memberId;
    this.group = group;
    this.closeTimeout = closeTimeout;
    this.executor =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread created = new Thread(runnable, "pipekeeper-streams-" + group + "-" + memberId);
              created.setDaemon(true);
              thread = created;
              return created;
            });
  }

  /** Whether the caller runs on this thread. */
  boolean isCurrent() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} later on the member's thread; what it throws is logged. */
  void run(String what, Runnable task) {
    try {
      executor.execute(
          () -> {
            try {
              task.run();
            } catch (Throwable error) {
              LOG.warn(
                  "streams member {} of group {}: {} failed: {}",
                  memberId,
                  group,
                  what,
                  error.toString(),
                  error);
            }
          });
    } catch (RejectedExecutionException closed) {
      LOG.debug("streams member {} of group {}: dropped {} after close", memberId, group, what);
    }
  }

  /** Runs {@code task} on the member's thread (at once if called there); completes after it. */
  CompletableFuture<Void> call(String what, Runnable task) {
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
    if (isCurrent()) {
      tracked.run();
      return done;
    }
    try {
      executor.execute(tracked);
    } catch (RejectedExecutionException closed) {
      LOG.debug("streams member {} of group {}: dropped {} after close", memberId, group, what);
      done.complete(null);
    }
    return done;
  }

  /** Waits for {@code done}; rethrows what the task threw. */
  static void await(CompletableFuture<Void> done) {
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the member's thread", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Waits for {@code done} up to the close timeout and a grace; logs what went wrong. */
  void awaitBounded(CompletableFuture<Void> done, String what) {
    long bound = closeTimeout.plus(GRACE).toMillis();
    try {
      done.get(bound, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      LOG.warn(
          "streams member {} of group {}: {} took more than {} ms", memberId, group, what, bound);
    } catch (ExecutionException e) {
      LOG.warn(
          "streams member {} of group {}: {} failed: {}",
          memberId,
          group,
          what,
          e.getCause().toString());
    }
  }

  /**
   * Takes no more tasks and waits, up to a grace, for the queued ones (not when called on this
   * thread, which cannot wait for itself).
   */
  void stop() {
    executor.shutdown();
    if (isCurrent()) {
      return;
    }
    try {
      if (!executor.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
