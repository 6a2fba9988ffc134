package dev.pipekeeper.core;

/** A server could not be reached within the connection timeout. Retrying later may succeed. */
public class UnreachableException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  private final String address;

  public UnreachableException(String what, String address, String reason) {
    super(what + " not reachable at " + address + ": " + reason);
    this.address = address;
  }

  /** The address that was tried, as given. */
  public String address() {
    return address;
  }
}
