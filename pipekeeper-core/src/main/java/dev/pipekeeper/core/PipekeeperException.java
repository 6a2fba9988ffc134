package dev.pipekeeper.core;

/**
 * The root of Pipekeeper's exceptions. All are unchecked; each public method documents the ones it
 * throws.
 *
 * <ul>
 *   <li>{@link UnreachableException}: a server could not be reached in time (retriable).
 *   <li>{@link InvalidInputException}: input was refused before anything was written.
 *   <li>{@link NotAuthorizedException}: ZooKeeper refused an operation for lack of permission.
 * </ul>
 */
public class PipekeeperException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PipekeeperException(String message) {
    super(message);
  }

  public PipekeeperException(String message, Throwable cause) {
    super(message, cause);
  }
}
