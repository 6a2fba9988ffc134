package dev.pipekeeper.core.leader;

import dev.pipekeeper.core.PipekeeperException;

/** A write was refused because the writer's leadership term is over; nothing was written. */
public class FencedException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  public FencedException(String message) {
    super(message);
  }
}
