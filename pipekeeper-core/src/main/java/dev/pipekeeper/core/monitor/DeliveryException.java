package dev.pipekeeper.core.monitor;

import dev.pipekeeper.core.PipekeeperException;

/** A sink could not deliver an alert now (the receiver refused it or did not answer). */
public class DeliveryException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  public DeliveryException(String message) {
    super(message);
  }

  public DeliveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
