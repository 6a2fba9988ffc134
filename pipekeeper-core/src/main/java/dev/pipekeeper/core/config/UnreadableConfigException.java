package dev.pipekeeper.core.config;

import dev.pipekeeper.core.PipekeeperException;

/**
 * A stored value is not valid JSON (or is empty): it was written behind Pipekeeper's back, and it
 * is kept out rather than shown as something it is not. The message names the scope and key but
 * never quotes the value, which may be a secret. Set the key again, or delete it.
 */
public class UnreadableConfigException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  public UnreadableConfigException(String message) {
    super(message);
  }
}
