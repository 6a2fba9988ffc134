package dev.pipekeeper.connect.source;

import dev.pipekeeper.connect.source.ChangeRecords.Change;
import dev.pipekeeper.connect.source.EmittedState.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.utils.ZKPaths;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream of one subtree: Curator's {@link PersistentWatcher} (recursive) marks the paths that
 * changed, and the poll thread reads each marked node and compares it with what was last emitted
 * for it ({@link EmittedState}), emitting a record only when the node's creation or modification
 * zxid moved on. Each time the watch is (re)established (at start, after a reconnect and after a
 * session expiry: persistent-watch events that happen while the client is away are lost), the whole
 * subtree is read again and compared, which emits the creates, changes and deletes that happened in
 * between. Because a record is emitted only for a later mzxid (or a new incarnation, a later
 * czxid), records of one path are in mzxid order, and ZooKeeper's coalescing shows as a version
 * jump ({@code versionsSkipped}).
 *
 * <p>The watcher's callbacks only mark paths and wake the poll thread; every read and all state
 * belong to the poll thread. A node the connection may not read (NoAuth) is left out, as if it did
 * not exist, with one warning.
 */
final class SubtreeStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SubtreeStream.class);

  private final CuratorFramework client;
  private final String subtree;
  private final EmittedState state;
  private final ChangeRecords records;
  private final Runnable wake;
  private final PersistentWatcher watcher;

  private final Object lock = new Object();
  private final Set<String> dirty = new LinkedHashSet<>(); // guarded by lock
  private boolean reconcile; // guarded by lock: the watch was (re)established
  private boolean snapshotDone; // poll thread
  private final Set<String> unreadable = new HashSet<>(); // poll thread: warned once each

  SubtreeStream(CuratorFramework client, EmittedState state, ChangeRecords records, Runnable wake) {
    this.client = client;
    this.subtree = state.subtree();
    this.state = state;
    this.records = records;
    this.wake = wake;
    this.watcher = new PersistentWatcher(client, subtree, true);
  }

  void start() {
    watcher.getListenable().addListener(this::onEvent);
    watcher.getResetListenable().addListener(this::onReset);
    watcher.start();
  }

  /** Curator's thread: a node of the subtree was created, changed or deleted. */
  private void onEvent(WatchedEvent event) {
    String path = event.getPath();
    if (path == null) {
      return; // a connection state event
    }
    synchronized (lock) {
      dirty.add(path);
    }
    wake.run();
  }

  /** Curator's thread: the watch is set (again); what happened before is read by a reconcile. */
  private void onReset() {
    synchronized (lock) {
      reconcile = true;
    }
    LOG.debug("persistent watch on {} set; reconciling", subtree);
    wake.run();
  }

  /**
   * Appends the records of what changed to {@code out}: a reconcile if one is due, then up to
   * {@code maxPaths} marked paths. If ZooKeeper cannot be read, what is left is kept for the next
   * call and what was appended stays valid.
   *
   * @return false if ZooKeeper could not be read
   */
  boolean drain(List<SourceRecord> out, int maxPaths) {
    if (!client.getZookeeperClient().isConnected()) {
      // reads would wait for the connection; the watch's reset after it starts a reconcile
      return false;
    }
    List<String> batch;
    boolean full;
    synchronized (lock) {
      full = reconcile;
      reconcile = false;
      if (full) {
        // the walk reads every node after these marks were made
        dirty.clear();
        batch = List.of();
      } else {
        batch = new ArrayList<>();
        for (String path : dirty) {
          if (batch.size() == maxPaths) {
            break;
          }
          batch.add(path);
        }
        batch.forEach(dirty::remove);
      }
    }
    try {
      if (full) {
        reconcile(out);
      } else {
        for (int i = 0; i < batch.size(); i++) {
          try {
            process(batch.get(i), out);
          } catch (Unavailable e) {
            synchronized (lock) {
              dirty.addAll(batch.subList(i, batch.size()));
            }
            throw e;
          }
        }
      }
      return true;
    } catch (Unavailable e) {
      if (full) {
        synchronized (lock) {
          reconcile = true;
        }
      }
      LOG.debug("cannot read {} now: {}", subtree, e.getMessage());
      return false;
    }
  }

  /** Reads the whole subtree and emits every difference from the emitted state. */
  private void reconcile(List<SourceRecord> out) {
    int before = out.size();
    Set<String> seen = new HashSet<>();
    Deque<String> pending = new ArrayDeque<>();
    pending.push(subtree);
    while (!pending.isEmpty()) {
      String path = pending.pop();
      seen.add(path);
      process(path, out);
      List<String> children = children(path);
      // depth first, children in name order, parents before children
      for (int i = children.size() - 1; i >= 0; i--) {
        pending.push(ZKPaths.makePath(path, children.get(i)));
      }
    }
    List<String> gone = new ArrayList<>();
    for (String path : state.paths()) {
      if (!seen.contains(path)) {
        gone.add(path);
      }
    }
    // children before parents
    Collections.reverse(gone);
    for (String path : gone) {
      process(path, out);
    }
    snapshotDone = true;
    LOG.info(
        "{}: read {} nodes, {} records for what changed since the last record",
        subtree,
        seen.size(),
        out.size() - before);
  }

  /** Emits what differs between node {@code path} as it is now and its last record. */
  private void process(String path, List<SourceRecord> out) {
    Stat stat = new Stat();
    byte[] data = read(path, stat);
    Node last = state.get(path);
    if (last != null && last.deleting()) {
      // the delete record was emitted before a stop; its tombstone was not
      state.remove(path);
      out.add(records.tombstone(state.partitionOf(path), state.offsetOf(path), path));
      last = null;
    }
    if (last != null && (data == null || last.czxid() != stat.getCzxid())) {
      emitDelete(path, last, out);
      last = null;
    }
    if (data == null) {
      return;
    }
    Change change;
    int skipped;
    if (last == null) {
      boolean snapshot = !snapshotDone && !state.restored();
      change = snapshot ? Change.SNAPSHOT : Change.CREATED;
      // a node seen first with version v > 0 had v versions nobody saw (none for a snapshot)
      skipped = snapshot ? 0 : stat.getVersion();
    } else if (stat.getMzxid() > last.mzxid()) {
      change = Change.CHANGED;
      skipped = Math.max(0, stat.getVersion() - last.version() - 1);
    } else {
      return;
    }
    state.put(path, new Node(stat.getCzxid(), stat.getMzxid(), stat.getVersion(), false));
    out.add(
        records.present(
            state.partitionOf(path),
            state.offsetOf(path),
            subtree,
            path,
            change,
            data,
            stat,
            skipped));
  }

  private void emitDelete(String path, Node last, List<SourceRecord> out) {
    Node deleting = new Node(last.czxid(), last.mzxid(), last.version(), true);
    state.put(path, deleting);
    out.add(
        records.deleted(state.partitionOf(path), state.offsetOf(path), subtree, path, deleting));
    state.remove(path);
    out.add(records.tombstone(state.partitionOf(path), state.offsetOf(path), path));
  }

  /** The node's data (empty for none), its stat in {@code stat}; null if it does not exist. */
  private byte[] read(String path, Stat stat) {
    try {
      byte[] data = client.getData().storingStatIn(stat).forPath(path);
      unreadable.remove(path);
      return data == null ? new byte[0] : data;
    } catch (KeeperException.NoNodeException e) {
      return null;
    } catch (KeeperException.NoAuthException e) {
      if (unreadable.add(path)) {
        LOG.warn("{}: not allowed to read {}; it is left out", subtree, path);
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable(e);
    } catch (Exception e) {
      throw new Unavailable(e);
    }
  }

  private List<String> children(String path) {
    try {
      List<String> children = new ArrayList<>(client.getChildren().forPath(path));
      Collections.sort(children);
      return children;
    } catch (KeeperException.NoNodeException | KeeperException.NoAuthException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable(e);
    } catch (Exception e) {
      throw new Unavailable(e);
    }
  }

  @Override
  public void close() {
    watcher.close();
  }

  /** ZooKeeper could not be read now (connection loss, session expiry, closing). */
  private static final class Unavailable extends RuntimeException {
    Unavailable(Exception cause) {
      super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    }
  }
}
