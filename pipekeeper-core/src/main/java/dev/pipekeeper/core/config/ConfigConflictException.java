package dev.pipekeeper.core.config;

import dev.pipekeeper.core.PipekeeperException;

/** The configuration changed since the writer read it; nothing was written. Re-read and retry. */
public class ConfigConflictException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  public ConfigConflictException(String message) {
    super(message);
  }
}
