package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.UnreachableException;
import dev.pipekeeper.core.assignment.Assigner;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.Plan;
import dev.pipekeeper.core.assignment.Slot;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.LeaseListener;
import dev.pipekeeper.core.membership.GroupListener;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.core.membership.internal.DefaultGroupView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's duty in a group: while its lease is valid it watches the members, the units and the
 * drains, and after each burst of changes (debounced) computes the assignment with {@link Assigner}
 * and publishes it, fenced by the lease. Publishes only when the plan differs from what is
 * published. Rebalances run on its own thread, one at a time.
 */
final class GroupAssigner implements LeaseListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupAssigner.class);

  /** How long after a failed start of its term a leader tries again. */
  private static final long START_RETRY_MILLIS = 1000;

  private final Session session;
  private final String group;
  private final String memberId;
  private final DefaultAssignments assignments;
  private final WorkerOptions options;
  private final ScheduledExecutorService thread;
  private Term term;
  private ScheduledFuture<?> scheduled;
  private long firstPendingNanos;

  GroupAssigner(
      Session session,
      String group,
      String memberId,
      DefaultAssignments assignments,
      WorkerOptions options) {
    this.session = session;
    this.group = group;
    this.memberId = memberId;
    this.assignments = assignments;
    this.options = options;
    this.thread = DefaultGroupWorker.daemonScheduler("pipekeeper-assigner-" + group);
  }

  /** What the leader watches during one term. */
  private final class Term implements AutoCloseable {
    final Lease lease;
    final DefaultGroupView members;
    final CuratorCache units;
    final CuratorCache drains;

    Term(Lease lease) {
      this.lease = lease;
      this.members = new DefaultGroupView(session, group);
      this.units = CuratorCache.build(session.client(), ZkLayout.units(group));
      this.drains = CuratorCache.build(session.client(), ZkLayout.drains(group));
      members.addListener(
          new GroupListener() {
            @Override
            public void memberJoined(MemberRecord member) {
              poke(false);
            }

            @Override
            public void memberLeft(MemberRecord member) {
              poke(member.state() == MemberState.RUNNING);
            }

            @Override
            public void memberUpdated(MemberRecord before, MemberRecord after) {
              if (before.state() != after.state() || before.capacity() != after.capacity()) {
                boolean stoppedWorking =
                    before.state() == MemberState.RUNNING && after.state() != MemberState.RUNNING;
                poke(stoppedWorking);
              }
            }
          });
      CuratorCacheListener changed =
          CuratorCacheListener.builder().forAll((t, o, n) -> poke(false)).build();
      units.listenable().addListener(changed);
      drains.listenable().addListener(changed);
    }

    void start() {
      units.start();
      drains.start();
      members.start();
    }

    List<WorkUnit> units() {
      String parent = ZkLayout.units(group);
      List<WorkUnit> found = new ArrayList<>();
      units.stream()
          .filter(node -> isChild(parent, node))
          .forEach(
              node ->
                  DefaultWorkUnits.decode(
                          group, ZkLayout.lastElement(node.getPath()), node.getData())
                      .ifPresent(found::add));
      return found;
    }

    Set<String> drained() {
      String parent = ZkLayout.drains(group);
      Set<String> found = new TreeSet<>();
      drains.stream()
          .filter(node -> isChild(parent, node))
          .forEach(node -> found.add(ZkLayout.lastElement(node.getPath())));
      return found;
    }

    @Override
    public void close() {
      members.close();
      units.close();
      drains.close();
    }
  }

  private static boolean isChild(String parent, ChildData node) {
    String path = node.getPath();
    return path.startsWith(parent + "/") && path.indexOf('/', parent.length() + 1) < 0;
  }

  @Override
  public void granted(Lease lease) {
    Term next = new Term(lease);
    try {
      next.start();
    } catch (RuntimeException e) {
      next.close();
      // Tried again while the lease holds: a leader that does not assign must not stay so.
      LOG.warn(
          "group {}: could not start assigning, trying again in {} ms: {}",
          group,
          START_RETRY_MILLIS,
          e.getMessage());
      retryStart(lease);
      return;
    }
    synchronized (this) {
      endTerm();
      term = next;
    }
    LOG.info("group {}: assigning work units as leader (epoch {})", group, lease.epoch());
    poke(false);
  }

  private void retryStart(Lease lease) {
    try {
      thread.schedule(
          () -> {
            boolean unstarted;
            synchronized (this) {
              unstarted = term == null || term.lease != lease;
            }
            if (unstarted && lease.isValid()) {
              granted(lease);
            }
          },
          START_RETRY_MILLIS,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closed meanwhile: nothing to assign
    }
  }

  @Override
  public void suspended(Lease lease) {
    ended(lease);
  }

  @Override
  public void revoked(Lease lease) {
    ended(lease);
  }

  private synchronized void ended(Lease lease) {
    if (term != null && term.lease == lease) {
      endTerm();
      LOG.info("group {}: no longer assigning (epoch {} {})", group, lease.epoch(), lease.state());
    }
  }

  private void endTerm() {
    if (scheduled != null) {
      scheduled.cancel(false);
      scheduled = null;
    }
    firstPendingNanos = 0;
    if (term != null) {
      term.close();
      term = null;
    }
  }

  /**
   * Something changed: rebalance once things are quiet for the debounce, or at the latest after max
   * delay. Urgent changes (a working member died, left or stopped taking work, so its units are
   * down until they move) rebalance at once: waiting would only keep them down longer, and the
   * assigner moves nothing but the orphaned units.
   */
  private synchronized void poke(boolean urgent) {
    if (term == null || thread.isShutdown()) {
      return;
    }
    long now = System.nanoTime();
    if (firstPendingNanos == 0) {
      firstPendingNanos = now;
    }
    long due =
        urgent
            ? now
            : Math.min(
                now + options.debounce().toNanos(),
                firstPendingNanos + options.maxDelay().toNanos());
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    scheduled = thread.schedule(this::rebalance, Math.max(0, due - now), TimeUnit.NANOSECONDS);
  }

  /** On the assigner thread. */
  private void rebalance() {
    Term current;
    synchronized (this) {
      scheduled = null;
      firstPendingNanos = 0;
      current = term;
    }
    if (current == null || !current.lease.isValid()) {
      return;
    }
    try {
      publishIfChanged(current);
    } catch (FencedException e) {
      LOG.info("group {}: {}", group, e.getMessage());
    } catch (RuntimeException e) {
      synchronized (this) {
        if (term != current) {
          return; // the term ended meanwhile (or this member is closing): nothing to retry
        }
      }
      String why = e instanceof UnreachableException ? e.getMessage() : e.toString();
      LOG.warn("group {}: rebalance failed, retrying: {}", group, why);
      poke(false);
    }
  }

  private void publishIfChanged(Term current) {
    List<WorkUnit> units = current.units();
    Set<String> drained = current.drained();
    List<Slot> slots = Slot.eligible(current.members.members(), drained);
    Optional<Assignment> published = assignments.current();
    Map<String, String> previous = published.map(Assignment::owners).orElse(Map.of());
    Plan plan = Assigner.assign(units, slots, previous);
    if (plan.owners().equals(previous) && (published.isPresent() || plan.unassigned().isEmpty())) {
      // nothing to move, nothing new to run; a group whose units none can run still gets a first
      // (empty) assignment, so that its units show, and alert, as assigned to no member
      return;
    }
    Assignment next = assignments.publish(current.lease, plan.owners(), memberId);
    if (plan.unassigned().isEmpty()) {
      LOG.info(
          "group {}: generation {}: {} units over {} members, {} moved",
          group,
          next.generation(),
          plan.owners().size(),
          slots.size(),
          plan.movesFrom(previous));
    } else {
      // units nobody runs: say which, as the monitor's unassigned-units rule does
      LOG.warn(
          "group {}: generation {}: {} units over {} members, {} moved, {} unassigned (no member"
              + " can take them): {}",
          group,
          next.generation(),
          plan.owners().size(),
          slots.size(),
          plan.movesFrom(previous),
          plan.unassigned().size(),
          String.join(", ", plan.unassigned()));
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      endTerm();
    }
    thread.shutdownNow();
  }
}
