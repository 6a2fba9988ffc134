package dev.pipekeeper.core.membership.internal;

import dev.pipekeeper.core.internal.Await;
import dev.pipekeeper.core.internal.Serial;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.WatchedTree;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.membership.GroupListener;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.MemberRecord;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A group view on a {@link WatchedTree} of {@code members/GROUP} (one persistent recursive watch,
 * each record decoded once per change); listeners are called on the view's own thread.
 */
public final class DefaultGroupView implements GroupView {
  /** Set once by whoever registered this with the connection; run on close. */
  private volatile Runnable forget = () -> {};

  void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  private final String group;
  private final WatchedTree<MemberRecord> tree;
  private final Serial events;
  private final List<GroupListener> listeners = new CopyOnWriteArrayList<>();
  private final Await changed = new Await(Duration.ofMillis(200));
  private final AtomicBoolean closed = new AtomicBoolean();

  public DefaultGroupView(Session session, String group) {
    this.group = group;
    this.events = new Serial("pipekeeper-group-" + group);
    this.tree =
        new WatchedTree<>(session, ZkLayout.members(group), 1, MemberCodec::decode, this::changed);
  }

  public void start() {
    try {
      tree.start("members of group " + group);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** On Curator's event thread. */
  private void changed(String unused, String id, MemberRecord before, MemberRecord after) {
    if (after == null) {
      post(l -> l.memberLeft(before));
    } else if (before == null) {
      post(l -> l.memberJoined(after));
    } else {
      post(l -> l.memberUpdated(before, after));
    }
  }

  private void post(Consumer<GroupListener> call) {
    changed.signal();
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
    return tree.byGroup().getOrDefault("", Map.of()).values().stream()
        .sorted(Comparator.comparing(MemberRecord::id))
        .toList();
  }

  @Override
  public void addListener(GroupListener listener) {
    listeners.add(listener);
  }

  @Override
  public boolean awaitMembers(Predicate<List<MemberRecord>> condition, Duration timeout) {
    return changed.until(() -> condition.test(members()), timeout);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      forget.run();
      tree.close();
      events.close();
    }
  }

  @Override
  public String toString() {
    return "view of group " + group;
  }
}
