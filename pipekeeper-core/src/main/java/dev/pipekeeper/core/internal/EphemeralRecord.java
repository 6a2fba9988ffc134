package dev.pipekeeper.core.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral node of this connection whose data is replaced now and then (a member record, a
 * member's applied config): Curator's {@link PersistentNode}, which recreates the node after a
 * session loss, and a check that the node holds the newest data.
 *
 * <p>{@code PersistentNode} does not promise that the newest {@code setData} wins. A data change
 * sent just before a connection loss is retried by Curator, after its retry backoff, with the bytes
 * it had, and can land after a newer one; the node's create after a new session captures the data
 * of that moment, while a newer change sent alongside fails because the node is not there yet.
 * Either way nothing writes the node again, and it keeps older data for as long as its owner
 * changes nothing. So a {@link PersistentWatcher} on the node reads it whenever it is created or
 * changed and whenever the watch is set (again); a node of this session that holds other bytes than
 * the newest given is written again with the newest. A node owned by another session (another
 * process with the same id) is left alone: that is the owner's business.
 *
 * <p>In the steady state the check costs one read per data change: the read is sent after the
 * change's watch event, which the server sends after applying the change, so it sees the change.
 * Thread-safe.
 */
public final class EphemeralRecord implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EphemeralRecord.class);

  private final Session session;
  private final String path;
  private final String what;
  private final PersistentNode node;
  private final PersistentWatcher watcher;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Counts the data changes given: a check whose read was overtaken by one draws no conclusion. */
  private final AtomicLong changes = new AtomicLong();

  /**
   * @param what names the record in log lines ("member w1 of group g")
   */
  public EphemeralRecord(Session session, String path, byte[] data, String what) {
    this.session = session;
    this.path = path;
    this.what = what;
    this.node = new PersistentNode(session.client(), CreateMode.EPHEMERAL, false, path, data);
    this.watcher = new PersistentWatcher(session.client(), path, false);
  }

  /** Starts creating the node in the background (see {@link #awaitCreated}). */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(what + ": already started");
    }
    watcher.getListenable().addListener(this::onEvent);
    watcher.getResetListenable().addListener(this::check);
    watcher.start();
    node.start();
  }

  /**
   * Waits, at most {@code timeout}, until the node was first created.
   *
   * @return whether it was
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitCreated(Duration timeout) throws InterruptedException {
    return node.waitForInitialCreate(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Replaces the node's data, in the background; the node holds these bytes, or newer ones, once
   * the connection allows. Allowed only once the node was first created ({@link #awaitCreated}).
   *
   * @throws Exception Curator's refusal (the node not created yet, or closed)
   */
  public void setData(byte[] data) throws Exception {
    changes.incrementAndGet(); // before the write is sent: a check read before it then knows
    node.setData(data);
  }

  /** The newest data given. */
  public byte[] data() {
    return node.getData();
  }

  private void onEvent(WatchedEvent event) {
    Watcher.Event.EventType type = event.getType();
    if (type == Watcher.Event.EventType.NodeCreated
        || type == Watcher.Event.EventType.NodeDataChanged) {
      check();
    }
  }

  /** Reads the node; if this session's node holds older data, writes the newest again. */
  private void check() {
    if (closed.get()) {
      return;
    }
    long before = changes.get();
    try {
      session
          .client()
          .getData()
          .inBackground((client, event) -> onRead(event, before))
          .forPath(path);
    } catch (Exception e) {
      LOG.debug("{}: checking its node failed: {}", what, e.toString());
    }
  }

  private void onRead(CuratorEvent event, long before) throws Exception {
    if (closed.get() || event.getResultCode() != KeeperException.Code.OK.intValue()) {
      // No node: PersistentNode creates it (with the newest data), and the create is checked.
      // No connection: the watch's reset after reconnecting checks again.
      return;
    }
    if (event.getStat().getEphemeralOwner() != session.sessionId()) {
      return; // another session's node, or not ours yet
    }
    byte[] newest = node.getData();
    if (changes.get() != before || Arrays.equals(newest, event.getData())) {
      return; // a newer change was sent after this read and is checked on its own event
    }
    LOG.info(
        "{}: its node held older data than the newest given (a write retried after a connection"
            + " loss, or a create after a new session, landed late); writing the newest again",
        what);
    setData(newest);
  }

  /** Stops checking and deletes the node (see {@link Session#release}); safe to call twice. */
  @Override
  public void close() {
    release();
  }

  /**
   * Like {@link #close}, telling whether the node was deleted here and now (see {@link
   * Session#release}).
   */
  public boolean release() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    watcher.close();
    return session.release(node, what);
  }
}
