package dev.pipekeeper.core;

/** Input was refused, with a message naming the problem; nothing was written. */
public class InvalidInputException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }
}
