package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.internal.Await;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.Threads;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.internal.DefaultLeadership;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.core.membership.internal.DefaultMembership;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member that runs the units assigned to it. All decisions are made on one control thread by
 * {@link #reconcile()}, which checks the connection, the session and that ZooKeeper was heard
 * recently, then has its {@link UnitRunner} make the units this member holds match the published
 * assignment (starting, stopping, acquiring and releasing accordingly); watches and connection
 * events only ask for a reconcile. This class is the plumbing around it: membership and the drain
 * state, the assigner's leadership, the heartbeat that bounds how long ownerships stay valid, and
 * the lifecycle. Handler calls run on the runner's pool, one at a time per unit, and the control
 * thread waits for them with a bound.
 */
public final class DefaultGroupWorker implements GroupWorker {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultGroupWorker.class);
  static final Duration RETRY = Duration.ofSeconds(1);

  private enum State {
    STARTING,
    STARTED,
    CLOSING,
    CLOSED
  }

  /** Set once by whoever registered this with the connection; run on close. */
  private volatile Runnable forget = () -> {};

  public void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  private final Session session;
  private final String group;
  private final WorkerOptions options;
  private final DefaultAssignments assignments;
  private final AssignmentFollower follower;
  private final ScheduledExecutorService control;
  private final UnitRunner units;
  private final ConnectionStateListener connectionListener = (client, s) -> onConnection(s);
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();
  private final Await runningChanged = new Await(Duration.ofMillis(100));
  private volatile boolean connected = true;

  /**
   * Until when this member's session certainly lives: a read answered by ZooKeeper that was sent at
   * time t proves the server had not expired the session at t, so it cannot expire before t + the
   * session timeout. Ownerships count as valid only up to t + two thirds of it ({@link #horizon}),
   * renewed every sixth by {@link #renew()}. A process that was paused (SIGSTOP, a long GC) finds
   * its ownerships invalid the moment it runs again, before its ZooKeeper client notices anything.
   */
  private volatile long heardUntilNanos;

  private final Duration horizon;
  private final ScheduledExecutorService heartbeat;
  private volatile Assignment lastSeen;
  private Member member;
  private DefaultLeadership leadership;
  private GroupAssigner assigner;
  private PersistentWatcher assignmentWatch;
  private PersistentWatcher drainWatch;
  private volatile Runnable removeMeters = () -> {};

  public DefaultGroupWorker(
      Session session,
      String group,
      UnitHandler handler,
      WorkerOptions options,
      Duration sessionTimeout) {
    this.session = session;
    this.horizon = sessionTimeout.multipliedBy(2).dividedBy(3);
    this.heartbeat = daemonScheduler("pipekeeper-worker-" + group + "-heartbeat");
    this.group = Names.check("group", group);
    ZkLayout.assignerRole(group);
    this.options = options;
    this.assignments = new DefaultAssignments(session, group);
    this.follower = new AssignmentFollower(session, group, assignments);
    this.control = daemonScheduler("pipekeeper-worker-" + group);
    this.units = new UnitRunner(session, group, handler, options, new Host());
  }

  /** What the worker tells its units. */
  private final class Host implements UnitRunner.Worker {
    @Override
    public String memberId() {
      return member.id();
    }

    @Override
    public boolean connected() {
      return connected;
    }

    @Override
    public boolean heardRecently() {
      return DefaultGroupWorker.this.heardRecently();
    }

    @Override
    public boolean started() {
      return state.get() == State.STARTED;
    }

    @Override
    public void requestReconcile() {
      DefaultGroupWorker.this.requestReconcile();
    }

    @Override
    public void retryLater() {
      DefaultGroupWorker.this.retryLater();
    }

    @Override
    public void runningChanged() {
      DefaultGroupWorker.this.runningChanged();
    }
  }

  /** A single daemon thread for scheduled tasks. */
  static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(Threads.named(name));
  }

  /** Joins, watches, contends; on failure everything opened so far is closed again. */
  public void start(DefaultMembership membership, dev.pipekeeper.core.membership.MemberInfo info) {
    try {
      session.client().getConnectionStateListenable().addListener(connectionListener);
      units.heldSession(session.sessionId());
      heardUntilNanos = System.nanoTime() + horizon.toNanos(); // the join was just answered
      member = membership.join(group, info);
      long every = Math.max(1, horizon.toNanos() / 4);
      heartbeat.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.NANOSECONDS);
      assignmentWatch = new PersistentWatcher(session.client(), ZkLayout.assignment(group), false);
      assignmentWatch.getListenable().addListener(event -> requestReconcile());
      assignmentWatch.start();
      drainWatch =
          new PersistentWatcher(session.client(), ZkLayout.drain(group, member.id()), false);
      drainWatch.getListenable().addListener(event -> requestDrainCheck());
      drainWatch.start();
      assigner = new GroupAssigner(session, group, member.id(), assignments, options);
      leadership = new DefaultLeadership(session, ZkLayout.assignerRole(group));
      leadership.addListener(assigner);
      leadership.start();
      removeMeters = session.meters().worker(group, units.running()::size);
      state.set(State.STARTED);
      requestDrainCheck();
      requestReconcile();
      LOG.info("member {} works on group {}", member.id(), group);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  // ---- events: each only asks the control thread to look again ----

  /** On Curator's connection thread: never blocks. */
  private void onConnection(ConnectionState newState) {
    connected = newState.isConnected();
    if (!connected) {
      // Ownerships turn invalid at once, and the stops are asked for here rather than on the
      // control thread, which may be blocked in a ZooKeeper call that waits for the connection.
      units.requestStopAll();
    }
    requestReconcile();
    if (newState == ConnectionState.RECONNECTED) {
      requestDrainCheck();
    }
  }

  private void requestReconcile() {
    if (reconcileQueued.compareAndSet(false, true)) {
      execute(
          () -> {
            reconcileQueued.set(false);
            reconcile();
          });
    }
  }

  private void requestDrainCheck() {
    execute(this::checkDrain);
  }

  private void execute(Runnable task) {
    try {
      control.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.warn("group {}: {}; retrying in {} ms", group, e.getMessage(), RETRY.toMillis());
              retryLater();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closed: nothing more to do
    }
  }

  private void retryLater() {
    try {
      control.schedule(this::requestReconcile, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closed
    }
  }

  private boolean heardRecently() {
    return System.nanoTime() - heardUntilNanos < 0;
  }

  /**
   * On the heartbeat thread: one read of this member's node straight on the ZooKeeper handle (no
   * retries, so it never waits long), which moves {@link #heardUntilNanos} on. If the horizon has
   * passed meanwhile the work is stopped first, as on SUSPENDED, and started again once heard.
   */
  private void renew() {
    long sent = System.nanoTime();
    boolean lapsed = sent - heardUntilNanos >= 0;
    if (lapsed) {
      units.requestStopAll();
      requestReconcile();
    }
    if (!connected || state.get() != State.STARTED) {
      return;
    }
    try {
      session
          .client()
          .getZookeeperClient()
          .getZooKeeper()
          .exists(
              ZKPaths.fixForNamespace(
                  session.client().getNamespace(), ZkLayout.member(group, member.id())),
              false);
      heardUntilNanos = sent + horizon.toNanos();
      if (lapsed) {
        requestReconcile();
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("group {}: heartbeat read failed: {}", group, e.toString());
    }
  }

  // ---- the control thread ----

  /** Makes the units this member runs match the published assignment. */
  private void reconcile() {
    State now = state.get();
    if (now == State.CLOSED) {
      return;
    }
    if (!connected) {
      units.stopAll("connection to ZooKeeper suspended");
      return;
    }
    if (!heardRecently()) {
      units.stopAll("no answer from ZooKeeper for " + horizon.toMillis() + " ms (a pause?)");
      return;
    }
    long sessionId = session.sessionId();
    units.checkSession(sessionId);
    Optional<Assignment> assignment = now == State.STARTED ? follower.current() : Optional.empty();
    assignment.ifPresent(a -> lastSeen = a);
    units.follow(assignment, sessionId);
  }

  /** Follows this member's drain node: DRAINING while it exists, RUNNING again after. */
  private void checkDrain() {
    if (state.get() != State.STARTED || !connected) {
      return;
    }
    boolean drained;
    try {
      drained = session.client().checkExists().forPath(ZkLayout.drain(group, member.id())) != null;
    } catch (Exception e) {
      throw session.failure("reading the drain of " + member.id(), e);
    }
    MemberState current = member.record().state();
    if (drained && (current == MemberState.RUNNING || current == MemberState.STARTING)) {
      member.setState(MemberState.DRAINING);
    } else if (!drained && current == MemberState.DRAINING) {
      member.setState(MemberState.RUNNING);
    }
  }

  private void runningChanged() {
    runningChanged.signal();
  }

  // ---- the public face ----

  @Override
  public String group() {
    return group;
  }

  @Override
  public Member member() {
    return member;
  }

  @Override
  public Set<String> running() {
    // Through an array: a TreeSet built straight from a sorted set that changes meanwhile fails.
    return java.util.Collections.unmodifiableSet(new TreeSet<>(List.copyOf(units.running())));
  }

  @Override
  public Optional<Assignment> assignment() {
    return Optional.ofNullable(lastSeen);
  }

  @Override
  public boolean isLeader() {
    return leadership != null && leadership.currentLease().isPresent();
  }

  @Override
  public boolean awaitRunning(Predicate<Set<String>> condition, Duration timeout) {
    return runningChanged.until(() -> condition.test(running()), timeout);
  }

  @Override
  public void drain() {
    assignments.drain(member.id());
  }

  @Override
  public void undrain() {
    assignments.undrain(member.id());
  }

  @Override
  public void close() {
    State before = state.getAndSet(State.CLOSING);
    if (before == State.CLOSING || before == State.CLOSED) {
      return;
    }
    forget.run();
    if (member != null && connected) {
      try {
        member.setState(MemberState.STOPPING); // the leader starts moving the units now
      } catch (RuntimeException e) {
        LOG.debug("group {}: could not announce stopping: {}", group, e.toString());
      }
    }
    // The work stops first, asked from this thread: the control thread may be waiting on
    // ZooKeeper. Then the control thread releases the owner nodes, if ZooKeeper is there to ask.
    units.stopHeld();
    if (connected) {
      CompletableFuture<Void> released = new CompletableFuture<>();
      try {
        control.execute(
            () -> {
              try {
                units.stopAndRelease();
              } finally {
                released.complete(null);
              }
            });
        released.get(session.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException
          | ExecutionException
          | TimeoutException e) {
        LOG.warn(
            "group {}: owner nodes not released on close ({}); they go with the session",
            group,
            e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    state.set(State.CLOSED);
    removeMeters.run();
    session.client().getConnectionStateListenable().removeListener(connectionListener);
    closeQuietly(leadership);
    closeQuietly(assigner);
    closeQuietly(assignmentWatch);
    closeQuietly(drainWatch);
    closeQuietly(member);
    units.removeWatchers();
    heartbeat.shutdownNow();
    control.shutdownNow();
    units.shutdownCalls();
  }

  private static void closeQuietly(AutoCloseable resource) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception e) {
      LOG.warn("closing {} failed: {}", resource, e.toString());
    }
  }

  @Override
  public String toString() {
    return "worker of group " + group;
  }
}
