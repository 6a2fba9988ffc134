package dev.pipekeeper.core;

import dev.pipekeeper.core.internal.Serial;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClusterWatch} on Curator's {@link PersistentWatcher}: one persistent recursive watch on
 * the cluster's root, which Curator sets again after a reconnect (and then tells its reset
 * listeners). Events are mapped to areas by {@link ZkLayout#changeOf} on Curator's event thread and
 * queued; the listener is called on the watch's own thread, each change still queued told once.
 */
final class DefaultClusterWatch implements ClusterWatch {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultClusterWatch.class);

  private final ClusterListener listener;
  private final PersistentWatcher watcher;
  private final Serial events = new Serial("pipekeeper-cluster-watch");
  private final Set<ClusterChange> pending = new LinkedHashSet<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private boolean draining;
  private volatile Runnable forget = () -> {};

  DefaultClusterWatch(Session session, ClusterListener listener) {
    this.listener = listener;
    this.watcher = new PersistentWatcher(session.client(), "/", true);
    watcher.getListenable().addListener(this::event);
    watcher.getResetListenable().addListener(() -> events.execute("cluster watch set", this::set));
  }

  void start(Runnable forget) {
    this.forget = forget;
    watcher.start();
  }

  /** On Curator's event thread: keep it to bookkeeping. */
  private void event(WatchedEvent event) {
    if (closed.get() || event.getType() == Watcher.Event.EventType.None) {
      return;
    }
    if (event.getPath() != null) {
      ZkLayout.changeOf(event.getPath()).ifPresent(this::post);
    }
  }

  private void post(ClusterChange change) {
    synchronized (pending) {
      if (!pending.add(change) || draining) {
        return;
      }
      draining = true;
    }
    events.execute("cluster listener", this::drain);
  }

  /** On the watch's thread: tells every queued change, until none is left. */
  private void drain() {
    while (true) {
      ClusterChange next;
      synchronized (pending) {
        Iterator<ClusterChange> first = pending.iterator();
        if (!first.hasNext() || closed.get()) {
          pending.clear();
          draining = false;
          return;
        }
        next = first.next();
        first.remove();
      }
      try {
        listener.changed(next);
      } catch (RuntimeException e) {
        LOG.warn("a cluster listener failed on {}: {}", next, e.toString(), e);
      }
    }
  }

  private void set() {
    if (!closed.get()) {
      listener.watching();
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      forget.run();
      watcher.close();
      events.close();
    }
  }

  @Override
  public String toString() {
    return "watch of the cluster's tree";
  }
}
