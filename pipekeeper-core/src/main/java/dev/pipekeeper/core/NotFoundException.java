package dev.pipekeeper.core;

/**
 * What was asked for is not there (a cluster, group, key or role by that name): a kind of refused
 * input, so the CLI exits 2 for it as for any other; the console answers 404.
 */
public class NotFoundException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }
}
