package dev.pipekeeper.core.locks;

import dev.pipekeeper.core.PipekeeperException;

/** A lock was not free within the time allowed. */
public class LockTimeoutException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  public LockTimeoutException(String message) {
    super(message);
  }
}
