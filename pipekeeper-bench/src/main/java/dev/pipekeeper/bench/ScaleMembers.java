package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.membership.MemberInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * {@code ScaleBench}'s members: {@code count} workers of one group, each on its own {@link
 * Pipekeeper} connection in this JVM, with a handler that only counts its calls. Member {@code i}
 * has the id and identity {@code m-i}; a restarted member comes back with the same id.
 */
final class ScaleMembers implements AutoCloseable {
  static final String CLUSTER = "scalebench";
  static final String GROUP = "scale";

  private final String connect;
  private final int sessionMs;
  private final int units;
  private final WorkerOptions options;
  private final ExecutorService pool;
  private final Pipekeeper[] connections;
  private final GroupWorker[] workers;
  private final AtomicLong starts = new AtomicLong();
  private final AtomicLong stops = new AtomicLong();
  private final UnitHandler handler =
      new UnitHandler() {
        @Override
        public void start(UnitOwnership unit) {
          starts.incrementAndGet();
        }

        @Override
        public void stop(UnitOwnership unit) {
          stops.incrementAndGet();
        }
      };

  ScaleMembers(
      String connect, int count, int units, int sessionMs, WorkerOptions options, int threads) {
    this.connect = connect;
    this.sessionMs = sessionMs;
    this.units = units;
    this.options = options;
    this.pool = Executors.newFixedThreadPool(threads);
    this.connections = new Pipekeeper[count];
    this.workers = new GroupWorker[count];
  }

  static String id(int i) {
    return String.format("m-%03d", i);
  }

  int count() {
    return connections.length;
  }

  long handlerStarts() {
    return starts.get();
  }

  long handlerStops() {
    return stops.get();
  }

  /** Opens every member's connection (in parallel), none of them in the group yet. */
  void connectAll() throws Exception {
    all(i -> connections[i] = connection(i));
  }

  /**
   * Starts every worker at once: the pool's threads wait at one gate, then each starts members
   * until none is left. {@code beforeGate} runs just before the gate opens.
   *
   * @return the {@code System.nanoTime()} at which the gate opened
   */
  long startAll(Runnable beforeGate) throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<?>> started = new ArrayList<>();
    for (int i = 0; i < workers.length; i++) {
      int member = i;
      started.add(
          pool.submit(
              () -> {
                gate.await();
                workers[member] = worker(member);
                return null;
              }));
    }
    return openGate(beforeGate, gate, started);
  }

  /**
   * Runs {@code beforeGate}, opens {@code gate} and waits for every task that waited at it; returns
   * the {@code System.nanoTime()} at which the gate opened. The one start of "all at once" for the
   * members and the baseline alike.
   */
  static long openGate(Runnable beforeGate, CountDownLatch gate, List<Future<?>> started)
      throws Exception {
    beforeGate.run();
    long opened = System.nanoTime();
    gate.countDown();
    for (Future<?> future : started) {
      future.get();
    }
    return opened;
  }

  /**
   * Restarts member {@code i}: closes its worker and connection (a graceful leave), opens a new
   * connection with the same identity and starts a worker with the same id, then waits until that
   * worker runs units again.
   *
   * @return whether the member was the group's leader when it was closed
   */
  boolean restart(int i, Duration bound) {
    boolean wasLeader = workers[i].isLeader();
    workers[i].close();
    connections[i].close();
    connections[i] = connection(i);
    workers[i] = worker(i);
    if (!workers[i].awaitRunning(running -> !running.isEmpty(), bound)) {
      throw new IllegalStateException(id(i) + " ran no unit within " + bound + " of its restart");
    }
    return wasLeader;
  }

  /**
   * Waits until the group converged: every worker saw the same, newest generation, which assigns
   * all units to all members, and every worker runs exactly its share of it.
   *
   * @return the assignment they converged on
   */
  Assignment awaitConverged(Duration bound) {
    return Awaitility.await("convergence of " + count() + " members")
        .atMost(bound)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> converged().orElse(null), a -> a != null);
  }

  /** The assignment every member follows, if they converged. */
  private Optional<Assignment> converged() {
    Optional<Assignment> newest =
        Arrays.stream(workers)
            .map(GroupWorker::assignment)
            .flatMap(Optional::stream)
            .max(Comparator.comparingLong(Assignment::generation));
    if (newest.isEmpty() || newest.get().owners().size() != units) {
      return Optional.empty();
    }
    Assignment assignment = newest.get();
    Map<String, Set<String>> shares = new HashMap<>();
    assignment
        .owners()
        .forEach((unit, owner) -> shares.computeIfAbsent(owner, o -> new TreeSet<>()).add(unit));
    if (shares.size() != count()) {
      return Optional.empty();
    }
    for (GroupWorker worker : workers) {
      boolean follows =
          worker.assignment().map(a -> a.generation() == assignment.generation()).orElse(false);
      if (!follows
          || !worker.running().equals(shares.getOrDefault(worker.member().id(), Set.of()))) {
        return Optional.empty();
      }
    }
    return Optional.of(assignment);
  }

  private Pipekeeper connection(int i) {
    return Pipekeeper.builder()
        .zookeeper(connect)
        .cluster(CLUSTER)
        .identity(id(i))
        .sessionTimeout(Duration.ofMillis(sessionMs))
        .build();
  }

  private GroupWorker worker(int i) {
    return connections[i].worker(GROUP, MemberInfo.defaults().id(id(i)), handler, options);
  }

  /** Something done for member {@code i}. */
  interface ForMember {
    void run(int i) throws Exception;
  }

  /** Runs {@code action} for every member on the pool, and waits. */
  void all(ForMember action) throws Exception {
    List<Future<Object>> done = new ArrayList<>();
    for (int i = 0; i < connections.length; i++) {
      int member = i;
      Callable<Object> call =
          () -> {
            action.run(member);
            return null;
          };
      done.add(pool.submit(call));
    }
    for (Future<Object> future : done) {
      future.get();
    }
  }

  /** Closes every worker and connection, in parallel. */
  @Override
  public void close() {
    try {
      all(
          i -> {
            if (workers[i] != null) {
              workers[i].close();
            }
            if (connections[i] != null) {
              connections[i].close();
            }
          });
    } catch (Exception e) {
      System.err.println("closing the members failed: " + e);
    } finally {
      pool.shutdownNow();
    }
  }
}
