package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.internal.Await;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.Threads;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.internal.DefaultLeadership;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.core.membership.internal.DefaultMembership;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.curator.framework.WatcherRemoveCuratorFramework;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member that runs the units assigned to it. All decisions are made on one control thread by
 * {@link #reconcile()}, which compares the published assignment with the units this member holds
 * and starts, stops, acquires and releases accordingly; watches and connection events only ask for
 * a reconcile. Handler calls run on a pool, one at a time per unit, and the control thread waits
 * for them with a bound.
 */
public final class DefaultGroupWorker implements GroupWorker {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultGroupWorker.class);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final int NAMES_IN_LOG = 10;
  private static final java.util.Comparator<Ownership> BY_UNIT =
      java.util.Comparator.comparing(o -> o.unit);

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
  private final UnitHandler handler;
  private final WorkerOptions options;
  private final DefaultAssignments assignments;
  private final ScheduledExecutorService control;
  private final ExecutorService calls;
  private final WatcherRemoveCuratorFramework watching;
  private final Watcher ownerReleased = event -> requestReconcile();
  private final ConnectionStateListener connectionListener = (client, s) -> onConnection(s);
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();
  private final Set<String> running = new ConcurrentSkipListSet<>();
  private final Await runningChanged = new Await(Duration.ofMillis(100));
  private final Map<String, CompletableFuture<Void>> lanes = new ConcurrentHashMap<>();

  /**
   * Units whose owner node this member holds (or may still hold). Changed on the control thread
   * only; read on the connection thread to stop work at once.
   */
  private final Map<String, Ownership> held = new ConcurrentHashMap<>();

  private long heldSession;
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
    this.handler = handler;
    this.options = options;
    this.assignments = new DefaultAssignments(session, group);
    this.control = daemonScheduler("pipekeeper-worker-" + group);
    this.calls = Executors.newCachedThreadPool(Threads.numbered("pipekeeper-unit-" + group));
    this.watching = session.client().newWatcherRemoveCuratorFramework();
  }

  /** A single daemon thread for scheduled tasks. */
  static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(Threads.named(name));
  }

  /** Joins, watches, contends; on failure everything opened so far is closed again. */
  public void start(DefaultMembership membership, dev.pipekeeper.core.membership.MemberInfo info) {
    try {
      session.client().getConnectionStateListenable().addListener(connectionListener);
      heldSession = session.sessionId();
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
      removeMeters = session.meters().worker(group, running::size);
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
      held.values().forEach(Ownership::requestStop);
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
      held.values().forEach(Ownership::requestStop);
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
      stopAll("connection to ZooKeeper suspended");
      return;
    }
    if (!heardRecently()) {
      stopAll("no answer from ZooKeeper for " + horizon.toMillis() + " ms (a pause?)");
      return;
    }
    long sessionId = session.sessionId();
    if (sessionId != heldSession) {
      // A new session: the owner nodes of the old one are gone or about to go.
      stopAll("session " + Long.toHexString(heldSession) + " ended");
      held.clear();
      heldSession = sessionId;
    }
    Optional<Assignment> assignment =
        now == State.STARTED ? assignments.current() : Optional.empty();
    assignment.ifPresent(a -> lastSeen = a);
    Set<String> mine = new TreeSet<>();
    assignment.ifPresent(
        a ->
            a.owners()
                .forEach(
                    (unit, owner) -> {
                      if (owner.equals(member.id())) {
                        mine.add(unit);
                      }
                    }));
    long generation = assignment.map(Assignment::generation).orElse(0L);
    List<Ownership> leaving =
        held.values().stream().filter(o -> !mine.contains(o.unit)).sorted(BY_UNIT).toList();
    stopAndWait(leaving); // all at once: one bound for all, not one per unit
    List<String> stopped = new ArrayList<>();
    for (Ownership ownership : leaving) {
      if (release(ownership)) {
        held.remove(ownership.unit);
        stopped.add(ownership.unit);
      }
    }
    List<String> started = new ArrayList<>();
    for (String unit : mine) {
      Ownership ownership = held.get(unit);
      if (ownership == null) {
        ownership = acquire(unit, generation, sessionId);
        if (ownership == null) {
          continue; // a watch on the previous owner's node asks again when it goes
        }
        held.put(unit, ownership);
      }
      if (!ownership.running && connected && heardRecently() && start(ownership)) {
        started.add(unit);
      }
    }
    if (!stopped.isEmpty() || !started.isEmpty()) {
      LOG.info(
          "group {} generation {}: {} started {}, stopped {}; runs {} units",
          group,
          generation,
          member.id(),
          names(started),
          names(stopped),
          running.size());
    }
  }

  /**
   * Creates the unit's owner node; null if another member still holds it (a one-time watch asks for
   * a reconcile when it goes) or the unit's start is being retried.
   */
  private Ownership acquire(String unit, long generation, long sessionId) {
    String path = ZkLayout.owner(group, unit);
    byte[] data = Json.write(new OwnerRecord(member.id(), generation, Instant.now()));
    Stat stat = new Stat();
    try {
      session
          .client()
          .create()
          .storingStatIn(stat)
          .creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(path, data);
      return new Ownership(unit, stat.getCzxid(), generation);
    } catch (KeeperException.NodeExistsException taken) {
      return adoptOrWait(unit, path, generation, sessionId);
    } catch (Exception e) {
      throw session.failure("taking unit " + unit + " of group " + group, e);
    }
  }

  private Ownership adoptOrWait(String unit, String path, long generation, long sessionId) {
    try {
      Stat existing = watching.checkExists().usingWatcher(ownerReleased).forPath(path);
      if (existing == null) {
        requestReconcile(); // released between the create and the check
        return null;
      }
      if (existing.getEphemeralOwner() == sessionId) {
        // Ours from an earlier attempt in this session (a reply lost to a connection blip).
        return new Ownership(unit, existing.getCzxid(), generation);
      }
      LOG.debug("group {}: unit {} waits for its previous owner to release it", group, unit);
      return null;
    } catch (Exception e) {
      throw session.failure("watching the owner of unit " + unit + " of group " + group, e);
    }
  }

  /** Deletes the owner node if this session holds it; false if that could not be done now. */
  private boolean release(Ownership ownership) {
    String path = ZkLayout.owner(group, ownership.unit);
    if (!connected) {
      return false;
    }
    try {
      Stat stat = session.client().checkExists().forPath(path);
      if (stat != null && stat.getEphemeralOwner() == heldSession) {
        session.client().delete().withVersion(stat.getVersion()).forPath(path);
      }
      return true;
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
      return true;
    } catch (Exception e) {
      LOG.warn(
          "group {}: could not release unit {} now ({}); its node goes with the session at the latest",
          group,
          ownership.unit,
          e.toString());
      return false;
    }
  }

  /** Starts a held unit; false if the start failed (the unit is given back and retried). */
  private boolean start(Ownership ownership) {
    ownership.stopRequested = false;
    CompletableFuture<Void> call = call(ownership.unit, () -> handler.start(ownership));
    try {
      call.get(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException slow) {
      LOG.warn(
          "group {}: start of unit {} still running after {} ms; treating it as started",
          group,
          ownership.unit,
          options.stopTimeout().toMillis());
    } catch (ExecutionException failed) {
      LOG.warn(
          "group {}: start of unit {} failed, giving it back and retrying in {} ms: {}",
          group,
          ownership.unit,
          RETRY.toMillis(),
          failed.getCause().toString());
      if (release(ownership)) {
        held.remove(ownership.unit);
      }
      retryLater();
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    ownership.started();
    running.add(ownership.unit);
    runningChanged();
    if (!connected || !heardRecently()) {
      // Suspended while starting: the connection thread saw nothing running yet.
      stopAndWait(List.of(ownership));
      return false;
    }
    return true;
  }

  /** Asks every running one of {@code ownerships} to stop, all at once, and waits (bounded). */
  private void stopAndWait(List<Ownership> ownerships) {
    Map<Ownership, CompletableFuture<Void>> stops = new TreeMap<>(BY_UNIT);
    for (Ownership ownership : ownerships) {
      if (ownership.running) {
        stops.put(ownership, ownership.requestStop());
      } else {
        ownership.requestStop();
      }
    }
    long deadline = System.nanoTime() + options.stopTimeout().toNanos();
    for (Map.Entry<Ownership, CompletableFuture<Void>> stop : stops.entrySet()) {
      String unit = stop.getKey().unit;
      try {
        stop.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException slow) {
        LOG.warn(
            "group {}: stop of unit {} did not finish within {} ms; giving up its ownership anyway",
            group,
            unit,
            options.stopTimeout().toMillis());
      } catch (ExecutionException failed) {
        LOG.warn("group {}: stop of unit {} failed: {}", group, unit, failed.getCause().toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stop.getKey().stopped();
    }
  }

  private void stopAll(String why) {
    List<Ownership> active = held.values().stream().filter(o -> o.running).toList();
    if (!active.isEmpty()) {
      stopAndWait(active);
      LOG.warn("group {}: {} stopped {} units: {}", group, member.id(), active.size(), why);
    }
  }

  /** Runs a handler call after the unit's earlier calls, on the call pool. */
  private CompletableFuture<Void> call(String unit, Runnable call) {
    CompletableFuture<Void> next =
        lanes.compute(
            unit,
            (name, before) ->
                (before == null ? CompletableFuture.<Void>completedFuture(null) : before)
                    .handle((r, e) -> (Void) null)
                    .thenRunAsync(call, calls));
    next.whenComplete((r, e) -> lanes.remove(unit, next));
    return next;
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

  private static String names(List<String> units) {
    if (units.isEmpty()) {
      return "none";
    }
    if (units.size() <= NAMES_IN_LOG) {
      return units.toString();
    }
    return units.subList(0, NAMES_IN_LOG) + " and " + (units.size() - NAMES_IN_LOG) + " more";
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
    return java.util.Collections.unmodifiableSet(new TreeSet<>(List.copyOf(running)));
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
    stopAndWait(new ArrayList<>(held.values()));
    if (connected) {
      CompletableFuture<Void> released = new CompletableFuture<>();
      try {
        control.execute(
            () -> {
              try {
                stopAndWait(new ArrayList<>(held.values()));
                held.values().removeIf(this::release);
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
    watching.removeWatchers();
    heartbeat.shutdownNow();
    control.shutdownNow();
    calls.shutdownNow();
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

  /** One held unit. */
  private final class Ownership implements UnitOwnership {
    final String unit;
    final long token;
    final long generation;
    volatile boolean stopRequested;
    volatile boolean running;
    private CompletableFuture<Void> stopping;

    Ownership(String unit, long token, long generation) {
      this.unit = unit;
      this.token = token;
      this.generation = generation;
    }

    synchronized void started() {
      running = true;
      stopping = null;
    }

    /** Invalidates the ownership and asks the handler to stop, once; the stop under way if any. */
    synchronized CompletableFuture<Void> requestStop() {
      stopRequested = true;
      if (!running) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> stop = stopping;
      if (stop == null) {
        stop = call(unit, () -> handler.stop(this));
        stopping = stop;
        CompletableFuture<Void> registered = stop;
        // May run at once, on this thread, if the stop has already returned.
        stop.whenComplete((r, e) -> stoppedBy(registered));
      }
      return stop;
    }

    /** The stop returned: the unit no longer runs, unless it was started again since. */
    private void stoppedBy(CompletableFuture<Void> stop) {
      synchronized (this) {
        if (stopping != stop) {
          return;
        }
      }
      stopped();
    }

    /** The unit no longer runs (its stop returned or overran its bound). */
    void stopped() {
      synchronized (this) {
        running = false;
        stopping = null;
      }
      if (DefaultGroupWorker.this.running.remove(unit)) {
        runningChanged();
      }
    }

    @Override
    public String group() {
      return group;
    }

    @Override
    public String unit() {
      return unit;
    }

    @Override
    public long token() {
      return token;
    }

    @Override
    public long generation() {
      return generation;
    }

    @Override
    public boolean isValid() {
      return !stopRequested && connected && heardRecently() && state.get() == State.STARTED;
    }

    @Override
    public String toString() {
      return "ownership of unit " + unit + " of " + group + " (token " + token + ")";
    }
  }
}
