package dev.pipekeeper.core.locks;

import java.time.Duration;
import java.util.Optional;

/** A mutex, a semaphore or one side of a read/write lock. Thread-safe. */
public interface DistributedLock {

  String name();

  /**
   * Acquires the lock, waiting at most {@code timeout}.
   *
   * @return the handle, or empty if the lock was not free within {@code timeout}
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper was not reachable within the
   *     timeout (the wait stays bounded when ZooKeeper is down)
   */
  Optional<LockHandle> tryAcquire(Duration timeout);

  /**
   * Acquires the lock, waiting at most {@code timeout}.
   *
   * @throws LockTimeoutException if the lock was not free within {@code timeout}
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper was not reachable
   */
  default LockHandle acquire(Duration timeout) {
    return tryAcquire(timeout)
        .orElseThrow(
            () ->
                new LockTimeoutException(
                    "lock '" + name() + "' was not acquired within " + timeout.toMillis() + " ms"));
  }
}
