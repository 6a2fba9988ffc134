package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.Threads;
import dev.pipekeeper.core.internal.ZkLayout;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.WatcherRemoveCuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The units a {@link DefaultGroupWorker} holds: it takes and gives back their ephemeral owner nodes
 * and starts and stops them through the {@link UnitHandler}, so that a unit runs only while its
 * owner node is this session's and is stopped before the node is deleted. Everything but {@link
 * #requestStopAll} (any thread, never blocks) runs on the worker's control thread; handler calls
 * run on a pool, one at a time per unit, and are waited for with {@link WorkerOptions#stopTimeout}
 * as the bound.
 */
final class UnitRunner {
  private static final Logger LOG = LoggerFactory.getLogger(UnitRunner.class);
  private static final int NAMES_IN_LOG = 10;
  private static final java.util.Comparator<Ownership> BY_UNIT =
      java.util.Comparator.comparing(o -> o.unit);

  /** What the units need of their worker. */
  interface Worker {
    /** This member's id (known once it joined). */
    String memberId();

    /** Whether the connection to ZooKeeper is up (not SUSPENDED or LOST). */
    boolean connected();

    /** Whether ZooKeeper answered within the horizon (see {@link DefaultGroupWorker}). */
    boolean heardRecently();

    /** Whether the worker is started and not closing. */
    boolean started();

    /** Asks the control thread to reconcile again. */
    void requestReconcile();

    /** Asks the control thread to reconcile again after a while. */
    void retryLater();

    /** The set of running units changed. */
    void runningChanged();
  }

  private final Session session;
  private final String group;
  private final UnitHandler handler;
  private final WorkerOptions options;
  private final Worker worker;
  private final ExecutorService calls;
  private final WatcherRemoveCuratorFramework watching;
  private final Watcher ownerReleased;
  private final Set<String> running = new ConcurrentSkipListSet<>();
  private final Map<String, CompletableFuture<Void>> lanes = new ConcurrentHashMap<>();

  /**
   * Units whose owner node this member holds (or may still hold). Changed on the control thread
   * only; read on the connection thread to stop work at once.
   */
  private final Map<String, Ownership> held = new ConcurrentHashMap<>();

  private long heldSession;

  UnitRunner(
      Session session, String group, UnitHandler handler, WorkerOptions options, Worker worker) {
    this.session = session;
    this.group = group;
    this.handler = handler;
    this.options = options;
    this.worker = worker;
    this.calls = Executors.newCachedThreadPool(Threads.numbered("pipekeeper-unit-" + group));
    this.watching = session.client().newWatcherRemoveCuratorFramework();
    this.ownerReleased = event -> worker.requestReconcile();
  }

  /** The units running now (a live view). */
  Set<String> running() {
    return running;
  }

  /** The session the held owner nodes belong to. */
  void heldSession(long sessionId) {
    heldSession = sessionId;
  }

  /**
   * On a new session: the owner nodes of the old one are gone or about to go, so its units are
   * stopped and forgotten.
   */
  void checkSession(long sessionId) {
    if (sessionId != heldSession) {
      stopAll("session " + Long.toHexString(heldSession) + " ended");
      held.clear();
      heldSession = sessionId;
    }
  }

  /** Any thread, never blocks: every held ownership turns invalid and its unit is asked to stop. */
  void requestStopAll() {
    held.values().forEach(Ownership::requestStop);
  }

  /**
   * Makes the units this member runs match {@code assignment} (none: it runs nothing): stops and
   * gives back the units that left it, takes and starts the units it got.
   */
  void follow(Optional<Assignment> assignment, long sessionId) {
    Set<String> mine = new TreeSet<>();
    assignment.ifPresent(
        a ->
            a.owners()
                .forEach(
                    (unit, owner) -> {
                      if (owner.equals(worker.memberId())) {
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
      if (!ownership.running && worker.connected() && worker.heardRecently() && start(ownership)) {
        started.add(unit);
      }
    }
    if (!stopped.isEmpty() || !started.isEmpty()) {
      LOG.info(
          "group {} generation {}: {} started {}, stopped {}; runs {} units",
          group,
          generation,
          worker.memberId(),
          names(started),
          names(stopped),
          running.size());
    }
  }

  /** Stops every held unit (bounded) and gives back the owner nodes it can give back now. */
  void stopAndRelease() {
    stopAndWait(new ArrayList<>(held.values()));
    held.values().removeIf(this::release);
  }

  /** Stops every held unit, waiting with the stop bound. */
  void stopHeld() {
    stopAndWait(new ArrayList<>(held.values()));
  }

  /** Removes the watches on previous owners' nodes. */
  void removeWatchers() {
    watching.removeWatchers();
  }

  /** Interrupts handler calls still under way. */
  void shutdownCalls() {
    calls.shutdownNow();
  }

  /**
   * Creates the unit's owner node; null if another member still holds it (a one-time watch asks for
   * a reconcile when it goes) or the unit's start is being retried.
   */
  private Ownership acquire(String unit, long generation, long sessionId) {
    String path = ZkLayout.owner(group, unit);
    byte[] data = Json.write(new OwnerRecord(worker.memberId(), generation, Instant.now()));
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
        worker.requestReconcile(); // released between the create and the check
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
    if (!worker.connected()) {
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
          DefaultGroupWorker.RETRY.toMillis(),
          failed.getCause().toString());
      if (release(ownership)) {
        held.remove(ownership.unit);
      }
      worker.retryLater();
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    ownership.started();
    running.add(ownership.unit);
    worker.runningChanged();
    if (!worker.connected() || !worker.heardRecently()) {
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

  void stopAll(String why) {
    List<Ownership> active = held.values().stream().filter(o -> o.running).toList();
    if (!active.isEmpty()) {
      stopAndWait(active);
      LOG.warn("group {}: {} stopped {} units: {}", group, worker.memberId(), active.size(), why);
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

  private static String names(List<String> units) {
    if (units.isEmpty()) {
      return "none";
    }
    if (units.size() <= NAMES_IN_LOG) {
      return units.toString();
    }
    return units.subList(0, NAMES_IN_LOG) + " and " + (units.size() - NAMES_IN_LOG) + " more";
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
      if (UnitRunner.this.running.remove(unit)) {
        worker.runningChanged();
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
      return !stopRequested && worker.connected() && worker.heardRecently() && worker.started();
    }

    @Override
    public String toString() {
      return "ownership of unit " + unit + " of " + group + " (token " + token + ")";
    }
  }
}
