package dev.pipekeeper.core;

/**
 * ZooKeeper refused an operation for lack of permission (NoAuth): this connection's credentials do
 * not hold the role the node's ACL asks for (see {@code AclModel}). Nothing was written by the
 * refused operation.
 */
public class NotAuthorizedException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  private final String path;

  public NotAuthorizedException(String message, String path, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The path ZooKeeper refused, or null when it did not say (a multi-op). */
  public String path() {
    return path;
  }
}
