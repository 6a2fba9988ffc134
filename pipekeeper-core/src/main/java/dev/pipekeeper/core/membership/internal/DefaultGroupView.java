package dev.pipekeeper.core.membership.internal;

import dev.pipekeeper.core.internal.Serial;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.membership.GroupListener;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.MemberRecord;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/** A group view on Curator's {@link CuratorCache} (one persistent recursive watch). */
public final class DefaultGroupView implements GroupView {
  /** Set once by whoever registered this with the connection; run on close. */
  private volatile Runnable forget = () -> {};

  void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  private final Session session;
  private final String group;
  private final String path;
  private final CuratorCache cache;
  private final Serial events;
  private final List<GroupListener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch initialized = new CountDownLatch(1);
  private final Object changed = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();

  public DefaultGroupView(Session session, String group) {
    this.session = session;
    this.group = group;
    this.path = ZkLayout.members(group);
    this.cache = CuratorCache.build(session.client(), path);
    this.events = new Serial("pipekeeper-group-" + group);
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreates(node -> member(node).ifPresent(m -> post(l -> l.memberJoined(m))))
                .forChanges(
                    (before, after) ->
                        member(after)
                            .ifPresent(
                                a -> {
                                  Optional<MemberRecord> b = member(before);
                                  if (b.isPresent()) {
                                    post(l -> l.memberUpdated(b.get(), a));
                                  } else {
                                    post(l -> l.memberJoined(a));
                                  }
                                }))
                .forDeletes(node -> member(node).ifPresent(m -> post(l -> l.memberLeft(m))))
                .forInitialized(initialized::countDown)
                .build());
  }

  public void start() {
    session.awaitConnected(session.connectionTimeout());
    cache.start();
    try {
      if (!initialized.await(session.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        close();
        throw session.unreachable("members of group " + group + " not loaded in time");
      }
    } catch (InterruptedException e) {
      close();
      throw session.failure("loading group " + group, e);
    }
  }

  private Optional<MemberRecord> member(ChildData node) {
    if (node == null || !isMemberPath(node.getPath())) {
      return Optional.empty();
    }
    return MemberCodec.decode(node.getPath(), node.getData());
  }

  private boolean isMemberPath(String nodePath) {
    return nodePath.startsWith(path + "/") && nodePath.indexOf('/', path.length() + 1) < 0;
  }

  private void post(java.util.function.Consumer<GroupListener> call) {
    synchronized (changed) {
      changed.notifyAll();
    }
    for (GroupListener listener : listeners) {
      events.execute("group listener of " + group, () -> call.accept(listener));
    }
  }

  @Override
  public String group() {
    return group;
  }

  @Override
  public List<MemberRecord> members() {
    return cache.stream()
        .filter(node -> isMemberPath(node.getPath()))
        .map(this::member)
        .flatMap(Optional::stream)
        .sorted(Comparator.comparing(MemberRecord::id))
        .toList();
  }

  @Override
  public void addListener(GroupListener listener) {
    listeners.add(listener);
  }

  @Override
  public boolean awaitMembers(Predicate<List<MemberRecord>> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (changed) {
      while (!condition.test(members())) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          changed.wait(Math.min(left, 200));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      forget.run();
      cache.close();
      events.close();
    }
  }

  @Override
  public String toString() {
    return "view of group " + group;
  }
}
