package dev.pipekeeper.core.membership.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.EphemeralRecord;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.MemberState;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member node kept by an {@link EphemeralRecord} (Curator's {@code PersistentNode}, recreated
 * after session loss and checked to hold the newest state).
 */
final class DefaultMember implements Member {
  /** Set once by whoever registered this with the connection; run on close. */
  private volatile Runnable forget = () -> {};

  void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  private static final Logger LOG = LoggerFactory.getLogger(DefaultMember.class);

  private final Session session;
  private final String path;
  private final EphemeralRecord node;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile MemberRecord record;
  private volatile Runnable removeMeters = () -> {};

  DefaultMember(Session session, MemberRecord record) {
    this.session = session;
    this.record = record;
    this.path = ZkLayout.member(record.group(), record.id());
    this.node =
        new EphemeralRecord(
            session,
            path,
            MemberCodec.encode(record),
            "member " + record.id() + " of group " + record.group());
  }

  void start() {
    session.awaitConnected(session.connectionTimeout());
    try {
      Stat existing = session.client().checkExists().forPath(path);
      long ourSession = session.sessionId();
      if (existing != null
          && existing.getEphemeralOwner() != ourSession
          && !predecessorGone(existing.getEphemeralOwner())) {
        throw new InvalidInputException(
            "member id '"
                + record.id()
                + "' is already used by a live member of group '"
                + record.group()
                + "' (its node outlived a session timeout, so it is no predecessor that died)");
      }
      node.start();
      if (!node.awaitCreated(session.connectionTimeout())) {
        node.close();
        refusedByAcl();
        throw session.unreachable(
            "member "
                + record.id()
                + " not registered within "
                + session.connectionTimeout().toMillis()
                + " ms");
      }
    } catch (InvalidInputException e) {
      throw e;
    } catch (Exception e) {
      throw session.failure("joining group " + record.group(), e);
    }
    removeMeters = session.meters().member(record.group());
    LOG.info("joined group {} as {} ({})", record.group(), record.id(), record.state());
  }

  /**
   * A member restarted with a fixed id right after its process died finds its predecessor's node,
   * which ZooKeeper removes only when that session expires. So before refusing the id, wait for the
   * node to go, for this connection's session timeout and half as long again (the predecessor ran
   * with the same settings, and the server expires sessions on its ticks): a live member's node
   * stays, a dead one's goes. Watched, not polled; the watch is removed if it did not fire.
   */
  private boolean predecessorGone(long owner) throws Exception {
    long timeoutMs =
        session.client().getZookeeperClient().getZooKeeper().getSessionTimeout() * 3L / 2;
    LOG.info(
        "member id {} of group {} is held by session 0x{}; waiting up to {} ms for it to expire",
        record.id(),
        record.group(),
        Long.toHexString(owner),
        timeoutMs);
    Semaphore events = new Semaphore(0);
    CuratorWatcher watcher = event -> events.release();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      Stat now = session.client().checkExists().usingWatcher(watcher).forPath(path);
      if (now == null || now.getEphemeralOwner() != owner) {
        removeWatch(watcher);
        return now == null;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || !events.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        removeWatch(watcher);
        return false;
      }
    }
  }

  private void removeWatch(CuratorWatcher watcher) {
    try {
      session.client().watchers().remove(watcher).quietly().forPath(path);
    } catch (Exception e) {
      LOG.debug("removing the watch on {} failed", path, e);
    }
  }

  /**
   * Whether the node was not created for lack of permission (the background creation only retries
   * and says nothing): while connected, one foreground create tells; NoAuth becomes {@code
   * NotAuthorizedException}, a node made by this probe is removed again.
   */
  private void refusedByAcl() throws Exception {
    if (!session.isConnected()) {
      return;
    }
    try {
      session
          .client()
          .create()
          .creatingParentsIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(path, MemberCodec.encode(record));
      session.client().delete().guaranteed().forPath(path);
    } catch (org.apache.zookeeper.KeeperException.NoAuthException e) {
      throw session.failure("joining group " + record.group(), e);
    } catch (org.apache.zookeeper.KeeperException e) {
      // not a question of permission: reported as before
    }
  }

  @Override
  public String id() {
    return record.id();
  }

  @Override
  public String group() {
    return record.group();
  }

  @Override
  public MemberRecord record() {
    return record;
  }

  @Override
  public synchronized void setState(MemberState state) {
    if (closed.get()) {
      throw new IllegalStateException("member " + id() + " has left group " + group());
    }
    record = record.withState(state);
    try {
      node.setData(MemberCodec.encode(record));
    } catch (Exception e) {
      throw session.failure("setting the state of member " + id(), e);
    }
    LOG.info("member {} of group {} is now {}", id(), group(), state);
  }

  @Override
  public boolean isRegistered() {
    try {
      Stat stat = session.client().checkExists().forPath(path);
      return stat != null && stat.getEphemeralOwner() == session.sessionId();
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      forget.run();
      removeMeters.run();
      if (session.client().getZookeeperClient().isConnected()) {
        GracefulLeaves.record(session, group(), id()); // before the node goes: see GracefulLeaves
      }
      if (node.release()) {
        LOG.info("left group {} ({})", group(), id());
      }
    }
  }

  @Override
  public String toString() {
    return "member " + id() + " of " + group();
  }
}
