package dev.pipekeeper.core.locks.internal;

import dev.pipekeeper.core.locks.LockHandle;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A held lock; how it is released depends on the recipe. */
final class DefaultLockHandle implements LockHandle {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultLockHandle.class);

  enum State {
    HELD,
    SUSPENDED,
    LOST,
    RELEASED
  }

  /** What releasing means for the recipe behind the handle. */
  @FunctionalInterface
  interface Releaser {
    void release() throws Exception;
  }

  private final String name;
  private final String nodePath;
  private final long token;
  private final Instant acquiredAt = Instant.now();
  private final Releaser releaser;

  /** The thread that acquired it, for recipes that know their holder by thread; else null. */
  private final Thread acquirer;

  private final DefaultLocks owner;
  private final AtomicReference<State> state = new AtomicReference<>(State.HELD);

  DefaultLockHandle(
      String name,
      String nodePath,
      long token,
      Releaser releaser,
      Thread acquirer,
      DefaultLocks owner) {
    this.name = name;
    this.nodePath = nodePath;
    this.token = token;
    this.releaser = releaser;
    this.acquirer = acquirer;
    this.owner = owner;
  }

  String nodePath() {
    return nodePath;
  }

  State state() {
    return state.get();
  }

  void suspend() {
    state.compareAndSet(State.HELD, State.SUSPENDED);
  }

  void resume() {
    state.compareAndSet(State.SUSPENDED, State.HELD);
  }

  void lose() {
    state.getAndUpdate(s -> s == State.RELEASED ? s : State.LOST);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long fencingToken() {
    return token;
  }

  @Override
  public Instant acquiredAt() {
    return acquiredAt;
  }

  @Override
  public boolean isValid() {
    return state.get() == State.HELD;
  }

  @Override
  public void close() {
    State now = state.get();
    if (acquirer != null
        && acquirer != Thread.currentThread()
        && (now == State.HELD || now == State.SUSPENDED)) {
      // Curator's recipe would refuse, and the lock would stay held by a handle said released.
      throw new IllegalMonitorStateException(
          "lock "
              + name
              + " (token "
              + token
              + ") was acquired on thread "
              + acquirer.getName()
              + " and must be released on it; it is still held");
    }
    State before = state.getAndSet(State.RELEASED);
    if (before == State.RELEASED) {
      return;
    }
    owner.forget(this);
    try {
      // After a lost session the node is gone with it; the recipe only forgets its own state.
      releaser.release();
    } catch (KeeperException.SessionExpiredException | KeeperException.ConnectionLossException e) {
      // The session ended (its node went with it), or Curator keeps deleting the node in the
      // background until it can: either way this holder no longer holds the lock.
      LOG.info("lock {} (token {}) released with the connection: {}", name, token, e.getMessage());
    } catch (Exception e) {
      if (before != State.LOST) {
        throw owner.session().failure("releasing lock " + name, e);
      }
    }
  }

  @Override
  public String toString() {
    return "lock " + name + " token " + token + " (" + state.get() + ")";
  }
}
