package dev.pipekeeper.core.locks;

import java.time.Instant;

/**
 * A held lock, semaphore permit or read/write lock side. Close it on the thread that acquired it
 * (try-with-resources does).
 *
 * <p>The {@link #fencingToken()} is the creation zxid of the lock's node in ZooKeeper: every later
 * holder of the same lock gets a greater token, so an external store that remembers the greatest
 * token it saw can refuse writes from a holder that lost the lock (a paused process, a partitioned
 * host) without trusting clocks.
 */
public interface LockHandle extends AutoCloseable {

  /** The lock's name. */
  String name();

  /** The fencing token of this acquisition; see the class description. */
  long fencingToken();

  Instant acquiredAt();

  /**
   * Whether the lock is still certainly held: false while the connection is suspended, and for good
   * once the session is lost or the handle released.
   */
  boolean isValid();

  /**
   * Releases the lock. Safe to call twice; after a lost session it only forgets the handle.
   *
   * @throws IllegalMonitorStateException if a mutex or a read/write lock side is closed on another
   *     thread than the one that acquired it (Curator's recipe knows its holder by thread); the
   *     lock is still held then, and the handle still valid. A semaphore permit may be closed
   *     anywhere.
   */
  @Override
  void close();
}
