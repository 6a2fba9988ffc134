package dev.pipekeeper.core.locks;

/**
 * Locks on Curator's recipes ({@code InterProcessMutex}, {@code InterProcessReadWriteLock}, {@code
 * InterProcessSemaphoreV2}), each acquisition with a fencing token. Locks are not reentrant: a
 * second acquisition of a held mutex waits like any other.
 */
public interface Locks {

  /**
   * A mutex under {@code locks/NAME}.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the name is not valid
   */
  DistributedLock mutex(String name);

  /** The read side of the read/write lock {@code locks/NAME}: shared among readers. */
  DistributedLock readLock(String name);

  /** The write side of the read/write lock {@code locks/NAME}: exclusive. */
  DistributedLock writeLock(String name);

  /**
   * A semaphore of {@code permits} under {@code semaphores/NAME}; every user must give the same
   * number.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the name is not valid or permits is below
   *     1
   */
  DistributedLock semaphore(String name, int permits);
}
