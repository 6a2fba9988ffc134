package dev.pipekeeper.core.internal;

import dev.pipekeeper.core.NotAuthorizedException;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.UnreachableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * What every primitive needs from the connection: the namespaced client, this client's identity,
 * the connection timeout, its meters, and one translation of ZooKeeper failures into Pipekeeper's
 * exceptions.
 */
public final class Session {
  private final CuratorFramework client;
  private final String identity;
  private final String connectString;
  private final Duration connectionTimeout;
  private final CoreMeters meters;
  private final NodeAcls acls;

  /** Set while the whole connection closes cut off from ZooKeeper (see {@link #release}). */
  private volatile java.util.concurrent.ExecutorService cutOffCloser;

  public Session(
      CuratorFramework client,
      String identity,
      String connectString,
      Duration connectionTimeout,
      CoreMeters meters) {
    this(client, identity, connectString, connectionTimeout, meters, NodeAcls.OPEN);
  }

  public Session(
      CuratorFramework client,
      String identity,
      String connectString,
      Duration connectionTimeout,
      CoreMeters meters,
      NodeAcls acls) {
    this.acls = acls;
    this.client = client;
    this.identity = identity;
    this.connectString = connectString;
    this.connectionTimeout = connectionTimeout;
    this.meters = meters;
  }

  /** The ACLs of the nodes this connection creates. */
  public NodeAcls acls() {
    return acls;
  }

  /** The client, namespaced to the cluster's root. */
  public CuratorFramework client() {
    return client;
  }

  public String identity() {
    return identity;
  }

  /** The id of the current ZooKeeper session; 0 while there is no ZooKeeper handle. */
  public long sessionId() {
    try {
      return client.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }

  /** Whether the client has a live connection to a server right now. */
  public boolean isConnected() {
    return client.getZookeeperClient().isConnected();
  }

  /** The connect string the connection was opened with. */
  public String connectString() {
    return connectString;
  }

  /**
   * Closes a primitive's ephemeral node ({@code what}: for the log), deleting it. While the whole
   * connection closes cut off from ZooKeeper, the delete (which would wait out the connection
   * timeout and retries, minutes for a few nodes) runs on {@code cutOffCloser} instead, and the
   * node goes with the session if the delete cannot be made.
   *
   * @return whether the node was deleted here and now
   */
  public boolean release(
      org.apache.curator.framework.recipes.nodes.PersistentNode node, String what) {
    java.util.concurrent.ExecutorService closer = cutOffCloser;
    if (closer != null) {
      cutOffSubmitted.incrementAndGet();
      closer.execute(
          () -> {
            cutOffStarted.release();
            closeNode(node, what, true);
          });
      return false;
    }
    return closeNode(node, what, false);
  }

  private static boolean closeNode(
      org.apache.curator.framework.recipes.nodes.PersistentNode node, String what, boolean cutOff) {
    try {
      node.close();
      return true;
    } catch (Exception e) {
      org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Session.class);
      if (cutOff) {
        log.debug("{}: its node is left to the session's end: {}", what, e.toString());
      } else {
        log.warn("{}: removing its node failed: {}", what, e.toString());
      }
      return false;
    }
  }

  private final java.util.concurrent.atomic.AtomicInteger cutOffSubmitted =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.Semaphore cutOffStarted =
      new java.util.concurrent.Semaphore(0);

  /** From now on {@link #release} closes nodes on {@code closer} (see there). */
  public void closeCutOff(java.util.concurrent.ExecutorService closer) {
    cutOffCloser = closer;
  }

  /**
   * Waits (at most {@code timeout}) until every node handed to the cut-off closer is being closed:
   * a node then counts as closed, and closing the client cannot call back into it as a live one.
   */
  public void awaitCutOffClosesStarted(Duration timeout) throws InterruptedException {
    cutOffStarted.tryAcquire(cutOffSubmitted.get(), timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Where the primitives register their coordination meters. */
  public CoreMeters meters() {
    return meters;
  }

  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  /**
   * Waits (at most {@code timeout}) for a live connection.
   *
   * @throws UnreachableException if there is none in time
   */
  public void awaitConnected(Duration timeout) {
    try {
      if (!client.getZookeeperClient().isConnected()
          && !client.blockUntilConnected(
              (int) Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        throw unreachable("no connection within " + timeout.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipekeeperException("interrupted while waiting for ZooKeeper", e);
    }
  }

  /** The children of {@code path}; none if it does not exist. */
  public List<String> children(String path) {
    awaitConnected(connectionTimeout);
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    } catch (Exception e) {
      throw failure("listing " + path, e);
    }
  }

  public UnreachableException unreachable(String reason) {
    return new UnreachableException("ZooKeeper", connectString, reason);
  }

  /**
   * Translates what a Curator call threw: connection trouble becomes {@link UnreachableException},
   * an interrupt is restored, anything else is wrapped with {@code what}.
   */
  public RuntimeException failure(String what, Exception error) {
    if (error instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new PipekeeperException(what + ": interrupted", error);
    }
    if (error instanceof KeeperException.ConnectionLossException
        || error instanceof KeeperException.SessionExpiredException
        || error instanceof KeeperException.OperationTimeoutException) {
      return unreachable(what + ": " + error.getMessage());
    }
    if (error instanceof KeeperException.NoAuthException noAuth) {
      return new NotAuthorizedException(
          what
              + ": not authorized"
              + (noAuth.getPath() != null ? " on " + noAuth.getPath() : "")
              + " (NoAuth: this connection's credentials lack the permission)",
          noAuth.getPath(),
          error);
    }
    if (error instanceof PipekeeperException pipekeeperException) {
      return pipekeeperException;
    }
    return new PipekeeperException(what + ": " + error, error);
  }
}
