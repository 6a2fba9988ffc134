package dev.pipekeeper.faults;

import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.locks.DistributedLock;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The traps of mutexes and of protected-mode creates (Curator's {@code InterProcessMutex} under
 * Pipekeeper's {@code Locks}, whose handles carry a fencing token: the lock node's creation zxid).
 * Every acquisition, release and write to the lock's store goes to the history; the store is an
 * outside system that accepts a token at least as new as the newest it accepted and refuses older
 * ones. The run fails on two handles valid at once (sampled every millisecond), a token handed out
 * twice or not above the one before ({@code token-reused}, {@code epoch-not-raised}), the store
 * taking an older token after a newer one ({@code stale-write}), a holder that did not learn it
 * lost the lock, and a handle whose node belongs to another session.
 */
final class LockTraps {
  static final String LOCK = "trap-lock";
  private static final String RESOURCE = "lock " + LOCK;

  private LockTraps() {}

  /** The lock's outside system: remembers the newest token it accepted, refuses older ones. */
  private static final class Store {
    private long newest;
    private long version;

    synchronized boolean write(TrapClient writer, long token) {
      if (token < newest) {
        writer.history().record(Kind.STORE_REFUSED, "store", token, newest);
        return false;
      }
      newest = token;
      writer.history().record(Kind.STORE_WRITE, "store", token, ++version);
      return true;
    }
  }

  /** A client's current handle of the lock, for the sampler. */
  private static final class Holding implements AutoCloseable {
    final AtomicReference<LockHandle> handle = new AtomicReference<>();
    private final ExecutorService thread;
    final TrapClient client;
    final DistributedLock lock;

    Holding(TrapRun run, TrapClient client) {
      this.client = client;
      this.lock = client.pk().locks().mutex(LOCK);
      this.thread =
          Executors.newSingleThreadExecutor(
              task -> {
                Thread holder = new Thread(task, "trap-holder-" + client.id());
                holder.setDaemon(true);
                return holder;
              });
      run.holder(RESOURCE, client.id(), this::valid);
      run.closeLater(this);
    }

    boolean valid() {
      LockHandle held = handle.get();
      return held != null && held.isValid();
    }

    /** Took it: recorded, and written to the store under its token. */
    LockHandle took(LockHandle held, Store store) {
      handle.set(held);
      client.history().record(Kind.LOCKED, LOCK, held.fencingToken(), 0);
      if (held.isValid()) {
        store.write(client, held.fencingToken());
      }
      return held;
    }

    /**
     * Releases on the thread that acquired (the handle's rule: Curator's mutex knows its holder by
     * thread), and waits for it.
     */
    void release() {
      LockHandle held = handle.getAndSet(null);
      if (held != null) {
        CompletableFuture.runAsync(
                () -> {
                  try {
                    held.close();
                  } catch (PipekeeperException e) {
                    // the release found the session gone: the lock is given up all the same
                  }
                },
                thread)
            .join();
        client.history().record(Kind.UNLOCKED, LOCK, held.fencingToken(), 0);
      }
    }

    /** Acquires on this holder's own thread (the lock's own waiting), at most {@code timeout}. */
    CompletableFuture<Optional<LockHandle>> acquire(Duration timeout, Store store) {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              return lock.tryAcquire(timeout).map(held -> took(held, store));
            } catch (RuntimeException e) {
              return Optional.empty();
            }
          },
          thread);
    }

    @Override
    public void close() {
      thread.shutdownNow();
    }
  }

  /**
   * CURATOR-206 and CURATOR-604: a holder partitioned past its session timeout kept believing it
   * held the mutex while another process took it (206); after the session expired and the client
   * reconnected with a new one, an acquisition counted the old session's about-to-be-deleted node
   * and held the lock beside its new holder (604).
   *
   * <p>Provoked: A holds the lock and has written the store; B waits for it; A's traffic is cut for
   * the session timeout -300 ms to +800 ms. When A's session expires, B takes the lock: B's token
   * must be greater, A's handle invalid, A's write under its old token refused by the store, and A,
   * asking again at once with its new session (the old node may still be listed), must not get the
   * lock while B holds it. When A's session outlives the cut, A's handle is valid again and B still
   * waits. Would fail if a handle stayed valid after its node went with the session, or if an
   * acquisition counted a node of the expired session.
   */
  static void mutexAfterExpiry(TrapRun run) {
    Store store = new Store();
    Holding a = new Holding(run, run.client("a"));
    Holding b = new Holding(run, run.client("b"));
    Duration bound = run.settings.recovery().plus(run.session());
    for (int round = 1; round <= run.settings.rounds(); round++) {
      String what = "round " + round;
      Optional<LockHandle> first = a.acquire(bound, store).join();
      if (first.isEmpty()) {
        run.violation(Trap.STUCK, what + ": a did not get the lock; " + nodes(run, a, b));
        continue;
      }
      long tokenA = first.get().fencingToken();
      CompletableFuture<Optional<LockHandle>> waiting = b.acquire(bound.plus(bound), store);
      long session = a.client.sessionId();
      Duration length = run.jitter(run.session(), -300, 800);
      a.client.cut();
      TrapRun.park(length);
      a.client.restore();
      run.await(
          what + ": a's session outlived the cut, or b took the lock",
          () ->
              (a.client.sessionId() == session && a.valid() && !waiting.isDone())
                  || (a.client.sessionId() != session
                      && a.client.sessionId() != 0
                      && waiting.isDone()));
      if (waiting.isDone()) {
        run.count("cuts past the session (expired)");
        Optional<LockHandle> second = waiting.join();
        if (second.isEmpty()) {
          run.violation(
              Trap.STUCK, what + ": b did not get the lock after a's expiry; " + nodes(run, a, b));
        } else if (second.get().fencingToken() <= tokenA) {
          run.violation(
              Trap.EPOCH_NOT_RAISED,
              what + ": b's token " + second.get().fencingToken() + " after a's " + tokenA);
        }
        if (a.valid()) {
          run.violation(Trap.LOSS_UNNOTICED, what + ": a's handle still valid after its expiry");
        }
        // A zombie's write under its old token: the store must refuse it.
        if (store.write(a.client, tokenA)) {
          run.count("zombie writes accepted");
        }
        // With its new session, A asks at once: the expired node must not count as its own.
        a.release();
        Optional<LockHandle> again = a.acquire(Duration.ofMillis(500), store).join();
        if (again.isPresent()) {
          if (b.valid()) {
            run.violation(
                Trap.OVERLAP, what + ": a acquired again with its new session while b holds");
          }
        }
        a.release();
        b.release();
      } else {
        run.count("cuts the session outlived");
        store.write(a.client, tokenA);
        a.release();
        Optional<LockHandle> second = waiting.join();
        if (second.isEmpty()) {
          run.violation(
              Trap.STUCK, what + ": b did not get the lock a released; " + nodes(run, a, b));
        }
        b.release();
      }
    }
  }

  /**
   * CURATOR-498: a protected-mode create whose answer was lost retries after the reconnect and
   * looks for its node by its protected name; if the session was expiring meanwhile, it found the
   * closing session's node (about to be deleted) and took it for its own: a lock held (or a latch
   * leading) on a node that then vanished, beside a second holder.
   *
   * <p>Provoked: A's traffic is delayed 300 to 500 ms each way; A starts to acquire the mutex (in
   * even rounds: to contend for a role B leads), so its protected create reaches the server while
   * the answer is held in the proxy; then A's traffic is cut, dropping the answer, for the session
   * timeout -200 ms to +600 ms, while B waits for the lock. Would fail if A ended up with a valid
   * handle whose token is not the creation zxid of a node of A's current session ({@code
   * foreign-node}), on two holders at once, or on latch nodes not one per contender of its current
   * session.
   */
  static void protectedCreate(TrapRun run) throws Exception {
    Store store = new Store();
    Holding b = new Holding(run, run.client("b"));
    Duration bound = run.settings.recovery().plus(run.session());
    b.acquire(bound, store).join();
    b.release(); // the lock's parent exists: A's acquisition is one create
    LeaderTraps.Contenders role = LeaderTraps.Contenders.of(run, LeaderTraps.ROLE, "b-contender");
    role.recovered("the start", 0);
    for (int round = 1; round <= run.settings.rounds(); round++) {
      String what = "round " + round;
      TrapClient client = run.client("a" + round);
      Duration delay = run.jitter(Duration.ZERO, 300, 500);
      long before = run.epoch(LeaderTraps.ROLE);
      client.delay(delay);
      CompletableFuture<Optional<LockHandle>> acquiring = null;
      Holding a = null;
      if (round % 2 == 1) {
        a = new Holding(run, client);
        acquiring = a.acquire(bound, store);
      } else {
        role.add(client);
      }
      TrapRun.park(delay.plus(run.jitter(Duration.ZERO, 100, 250)));
      client.cut();
      CompletableFuture<Optional<LockHandle>> waiting =
          acquiring == null ? null : b.acquire(bound.plus(bound), store);
      TrapRun.park(run.jitter(run.session(), -200, 600));
      client.delay(Duration.ZERO);
      client.restore();
      run.count(acquiring == null ? "latch creates cut" : "lock creates cut");
      if (acquiring != null) {
        Holding holding = a;
        CompletableFuture<Optional<LockHandle>> attempt = acquiring;
        run.await(what + ": a's acquisition ended", attempt::isDone);
        run.count(
            holding.valid()
                ? "cut acquisitions that hold the lock"
                : "cut acquisitions that failed or lost it");
        if (holding.valid() && !ownNode(run, holding)) {
          run.violation(
              Trap.FOREIGN_NODE,
              what
                  + ": a holds token "
                  + holding.handle.get().fencingToken()
                  + " but no node of its session "
                  + Long.toHexString(client.sessionId())
                  + " was created with it");
        }
        holding.release();
        if (!run.await(what + ": b takes the lock", waiting::isDone)) {
          run.violation(Trap.STUCK, what + ": " + nodes(run, holding, b));
        }
        b.release();
      } else {
        role.recovered(what, before - 1);
        role.handOver(what);
      }
    }
  }

  /** The lock's nodes as ZooKeeper holds them, and the sessions of {@code holders}, in words. */
  private static String nodes(TrapRun run, Holding... holders) {
    StringBuilder text = new StringBuilder("lock nodes ");
    try {
      text.append(run.children(ZkLayout.lock(LOCK)));
    } catch (Exception e) {
      text.append("unreadable (").append(e).append(')');
    }
    for (Holding holding : holders) {
      text.append(", ")
          .append(holding.client.id())
          .append("'s session ")
          .append(holding.client.sessionId())
          .append(holding.valid() ? " (holding)" : "");
    }
    return text.toString();
  }

  /** Whether {@code holding}'s token is the creation zxid of a lock node of its current session. */
  private static boolean ownNode(TrapRun run, Holding holding) throws Exception {
    long token = holding.handle.get().fencingToken();
    long session = holding.client.sessionId();
    List<TrapRun.Node> nodes = run.children(ZkLayout.lock(LOCK));
    return nodes.stream().anyMatch(n -> n.czxid() == token && n.owner() == session);
  }
}
