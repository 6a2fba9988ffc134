package dev.pipekeeper.core.leader.internal;

import dev.pipekeeper.core.internal.Await;
import dev.pipekeeper.core.internal.CoreMeters;
import dev.pipekeeper.core.internal.Serial;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.LeaseListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A contender on Curator's {@link LeaderLatch}. Every grant first raises the role's epoch; the
 * lease's state follows the connection (SUSPENDED suspends it at once, LOST or a reconnect after a
 * suspension revoke it). Latch events and listener calls run on one {@link Serial} thread, so they
 * are ordered and never on Curator's event thread.
 */
public final class DefaultLeadership implements Leadership {
  /** Set once by whoever registered this with the connection; run on close. */
  private volatile Runnable forget = () -> {};

  public void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  private static final Logger LOG = LoggerFactory.getLogger(DefaultLeadership.class);
  private static final Duration HANDOVER_WAIT = Duration.ofSeconds(10);

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final Session session;
  private final String role;
  private final Serial events;
  private final List<LeaseListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final AtomicReference<DefaultLease> current = new AtomicReference<>();
  private final ConnectionStateListener connectionListener = (client, s) -> onConnection(s);
  private final Await grants = new Await(Duration.ofMillis(100));
  private LeaderLatch latch;

  /**
   * Set when the session the latch was started in is lost (see {@link #contendAfterExpiry}); a new
   * latch clears it.
   */
  private volatile boolean latchOutlivedSession;

  /** The epoch of the last lease granted, 0 before the first; for the epoch gauge. */
  private volatile long lastEpoch;

  private volatile CoreMeters.LeadershipMeters meters;

  public DefaultLeadership(Session session, String role) {
    this.session = session;
    this.role = role;
    this.events = new Serial("pipekeeper-leadership-" + role);
  }

  @Override
  public String role() {
    return role;
  }

  @Override
  public Leadership start() {
    if (state.get() == State.CLOSED) {
      throw new IllegalStateException("leadership of " + role + " is closed");
    }
    if (state.compareAndSet(State.LATENT, State.STARTED)) {
      // Curator calls connection listeners in no fixed order: the latch may report "not leader"
      // before this listener hears of the suspension, and a reconnect may re-elect before it
      // hears of the reconnect. Both paths below therefore look at the lease they act on.
      session.client().getConnectionStateListenable().addListener(connectionListener);
      synchronized (this) {
        if (state.get() == State.STARTED) { // not closed meanwhile: close removes them under this
          meters =
              session
                  .meters()
                  .leadership(role, () -> currentLease().isPresent() ? 1 : 0, () -> lastEpoch);
        }
        contend();
      }
    }
    return this;
  }

  private void contend() {
    LeaderLatch created =
        new LeaderLatch(
            session.client(),
            ZkLayout.leaders(role),
            session.identity(),
            LeaderLatch.CloseMode.SILENT);
    created.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            onElected(created);
          }

          @Override
          public void notLeader() {
            onNotLeader(created);
          }
        },
        events.executor("leadership of " + role));
    latch = created;
    latchOutlivedSession = false;
    try {
      created.start();
    } catch (Exception e) {
      throw session.failure("contending for " + role, e);
    }
  }

  /** On the events thread. */
  private void onElected(LeaderLatch elected) {
    synchronized (this) {
      if (state.get() != State.STARTED || elected != latch || !elected.hasLeadership()) {
        return;
      }
    }
    Epochs.Epoch epoch;
    try {
      epoch = Epochs.next(session.client(), role);
    } catch (Exception e) {
      // The connection broke while raising the epoch; the latch will tell us what follows.
      LOG.warn("won {} but could not raise its epoch: {}", role, e.toString());
      return;
    }
    DefaultLease lease;
    synchronized (this) {
      if (state.get() != State.STARTED || elected != latch || !elected.hasLeadership()) {
        return;
      }
      revokeCurrent("a new term began");
      lease =
          new DefaultLease(
              session.client(),
              role,
              epoch.value(),
              epoch.version(),
              session.identity(),
              Instant.now());
      lastEpoch = lease.epoch(); // first: whoever sees the lease sees its epoch too
      current.set(lease);
    }
    CoreMeters.LeadershipMeters counted = meters;
    if (counted != null) {
      counted.grants().increment();
    }
    LOG.info("{} leads {} with epoch {}", session.identity(), role, lease.epoch());
    grants.signal();
    tell(l -> l.granted(lease));
  }

  /** On the events thread. */
  private void onNotLeader(LeaderLatch lost) {
    if (lost != latch) {
      return;
    }
    DefaultLease lease = current.get();
    if (lease == null || lease.state() != Lease.LeaseState.GRANTED) {
      // A suspended lease waits for the connection's outcome: a reconnect or a loss revokes it.
      return;
    }
    if (!session.client().getZookeeperClient().isConnected()) {
      // The latch gave up because the connection is suspended: suspend, as the connection
      // listener would (whichever comes first does it once).
      suspend(lease);
    } else {
      revoke(lease, "leadership lost");
    }
  }

  private void suspend(DefaultLease lease) {
    if (lease.suspend()) {
      LOG.warn("lease of {} epoch {} suspended: connection suspended", role, lease.epoch());
      tell(l -> l.suspended(lease));
    }
  }

  /** Revokes this lease (not whichever is current by then). */
  private void revoke(DefaultLease lease, String why) {
    current.compareAndSet(lease, null);
    if (lease.revoke()) {
      LOG.info("lease of {} epoch {} revoked: {}", role, lease.epoch(), why);
      tell(l -> l.revoked(lease));
    }
  }

  /** On Curator's event thread: only state flips here, the telling happens on ours. */
  private void onConnection(ConnectionState newState) {
    if (newState == ConnectionState.LOST) {
      latchOutlivedSession = true;
    } else if (newState.isConnected() && latchOutlivedSession) {
      events.execute("a new latch of " + role + " after a lost session", this::contendAfterExpiry);
    }
    DefaultLease lease = current.get();
    if (lease == null) {
      return;
    }
    switch (newState) {
      case SUSPENDED:
        suspend(lease);
        break;
      case LOST:
        revoke(lease, "session lost");
        break;
      case RECONNECTED:
        if (lease.state() == Lease.LeaseState.SUSPENDED) {
          revoke(lease, "reconnected after a suspension; contending again");
        }
        break;
      default:
        break;
    }
  }

  /**
   * On the events thread, after the session the latch was started in was lost. Curator's latch
   * looks for its node again in the new session, and a server that has not applied the old
   * session's expiry yet still lists that session's node: the latch takes it for its own and, if it
   * is not first, waits behind its predecessor with a node that is about to vanish, out of the
   * election until that predecessor changes (found by the fault suite's CURATOR-653 trap: a
   * contender left without a node). A new latch makes a node of the new session instead.
   */
  private synchronized void contendAfterExpiry() {
    if (state.get() != State.STARTED || !latchOutlivedSession) {
      return;
    }
    LOG.info("contending for {} with a new latch: its session was lost", role);
    revokeCurrent("the session was lost; contending with a new latch");
    closeLatch();
    contend();
  }

  /** Revokes the current lease; the future completes once every listener was told. */
  private CompletableFuture<Void> revokeCurrent(String why) {
    DefaultLease lease = current.getAndSet(null);
    if (lease != null && lease.revoke()) {
      LOG.info("lease of {} epoch {} revoked: {}", role, lease.epoch(), why);
      return tell(l -> l.revoked(lease));
    }
    return CompletableFuture.completedFuture(null);
  }

  private CompletableFuture<Void> tell(Consumer<LeaseListener> call) {
    for (LeaseListener listener : listeners) {
      events.execute("lease listener of " + role, () -> call.accept(listener));
    }
    CompletableFuture<Void> told = new CompletableFuture<>();
    events.execute("lease listeners of " + role + " told", () -> told.complete(null));
    return told;
  }

  /**
   * On a graceful hand-over, the revoked callbacks finish before the latch node goes, so the old
   * leader has stopped before a successor can be granted (bounded; not when called from a callback,
   * which runs on the thread that would have to tell).
   */
  private void awaitTold(CompletableFuture<Void> told) {
    if (events.isCurrentThread()) {
      return;
    }
    try {
      told.get(HANDOVER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn(
          "revoked callbacks of {} still running after {} ms; releasing anyway",
          role,
          HANDOVER_WAIT.toMillis());
    }
  }

  @Override
  public Leadership addListener(LeaseListener listener) {
    listeners.add(listener);
    return this;
  }

  @Override
  public Optional<Lease> currentLease() {
    DefaultLease lease = current.get();
    return lease != null && lease.isValid() ? Optional.of(lease) : Optional.empty();
  }

  @Override
  public Optional<Lease> awaitLease(Duration timeout) {
    if (!grants.until(() -> currentLease().isPresent() || state.get() == State.CLOSED, timeout)
        && Thread.currentThread().isInterrupted()) {
      return Optional.empty();
    }
    return currentLease();
  }

  @Override
  public synchronized void resign() {
    if (state.get() != State.STARTED) {
      return;
    }
    awaitTold(revokeCurrent("resigned"));
    closeLatch();
    contend();
  }

  private void deleteQuietly(String path) {
    if (path == null) {
      return;
    }
    try {
      session.client().delete().quietly().forPath(path);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("deleting the latch node of {}: {}", role, e.toString());
    }
  }

  private void closeLatch() {
    try {
      latch.close(LeaderLatch.CloseMode.SILENT);
    } catch (Exception e) {
      LOG.warn("closing the latch of {} failed: {}", role, e.toString());
    }
  }

  @Override
  public void close() {
    State before = state.getAndSet(State.CLOSED);
    if (before == State.CLOSED) {
      return;
    }
    forget.run();
    if (before == State.STARTED) {
      session.client().getConnectionStateListenable().removeListener(connectionListener);
      String ownPath;
      synchronized (this) {
        awaitTold(revokeCurrent("closed"));
        ownPath = latch.getOurPath();
        closeLatch();
        if (meters != null) {
          meters.remove().run();
        }
      }
      if (session.client().getZookeeperClient().isConnected()) {
        // The latch deletes its node in the background: gone before close returns, so contenders
        // closing one after the other see each other gone. The last one gone on purpose retires
        // the role rather than leave it without a leader.
        deleteQuietly(ownPath);
        RoleRetirements.recordIfLast(
            session, role, ownPath == null ? null : ZkLayout.lastElement(ownPath));
      }
    }
    grants.signal();
    events.close();
  }

  @Override
  public String toString() {
    return "leadership of " + role;
  }
}
