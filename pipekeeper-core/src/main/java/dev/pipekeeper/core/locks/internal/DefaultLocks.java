package dev.pipekeeper.core.locks.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.locks.DistributedLock;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.locks.Locks;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks on Curator's recipes. Every acquisition uses a fresh recipe object, so a handle never
 * shares Curator's per-thread reentrancy state with another (which would survive a lost session).
 * Held handles follow the connection: suspended on SUSPENDED, valid again on RECONNECTED if their
 * node is still ours, lost on LOST.
 */
public final class DefaultLocks implements Locks, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultLocks.class);

  private final Session session;
  private final Set<DefaultLockHandle> held = ConcurrentHashMap.newKeySet();
  private final Map<String, InterProcessSemaphoreV2> semaphores = new ConcurrentHashMap<>();
  private final ConnectionStateListener connectionListener = (client, s) -> onConnection(s);
  private final byte[] ownerData;
  private final Runnable removeMeters;

  public DefaultLocks(Session session) {
    this.session = session;
    this.ownerData = Json.write(Map.of("owner", session.identity()));
    session.client().getConnectionStateListenable().addListener(connectionListener);
    this.removeMeters =
        session.meters().locks(() -> held.stream().filter(DefaultLockHandle::isValid).count());
  }

  Session session() {
    return session;
  }

  void forget(DefaultLockHandle handle) {
    held.remove(handle);
  }

  private void onConnection(ConnectionState state) {
    switch (state) {
      case SUSPENDED:
        held.forEach(DefaultLockHandle::suspend);
        break;
      case LOST:
        for (DefaultLockHandle handle : held) {
          handle.lose();
          LOG.warn(
              "lock {} (token {}) lost with the session", handle.name(), handle.fencingToken());
        }
        break;
      case RECONNECTED:
        // Same session: our nodes are still there. Check rather than assume.
        for (DefaultLockHandle handle : held) {
          if (handle.state() == DefaultLockHandle.State.SUSPENDED && stillOurs(handle)) {
            handle.resume();
          } else {
            handle.lose();
          }
        }
        break;
      default:
        break;
    }
  }

  private boolean stillOurs(DefaultLockHandle handle) {
    try {
      Stat stat = session.client().checkExists().forPath(handle.nodePath());
      return stat != null && stat.getEphemeralOwner() == session.sessionId();
    } catch (Exception e) {
      return false;
    }
  }

  private long tokenOf(String nodePath) throws Exception {
    Stat stat = session.client().checkExists().forPath(nodePath);
    if (stat == null) {
      throw new IllegalStateException(
          "lock node " + nodePath + " vanished right after acquisition");
    }
    return stat.getCzxid();
  }

  /**
   * A handle of a recipe that knows its holder by thread (Curator's mutex and read/write lock): it
   * must be released on the acquiring thread, this one.
   */
  private DefaultLockHandle holdOnThisThread(
      String name, String nodePath, long token, DefaultLockHandle.Releaser releaser) {
    return hold(name, nodePath, token, releaser, Thread.currentThread());
  }

  private DefaultLockHandle hold(
      String name,
      String nodePath,
      long token,
      DefaultLockHandle.Releaser releaser,
      Thread acquirer) {
    DefaultLockHandle handle =
        new DefaultLockHandle(name, nodePath, token, releaser, acquirer, this);
    held.add(handle);
    return handle;
  }

  @Override
  public DistributedLock mutex(String name) {
    String path = ZkLayout.lock(name);
    return new Lock(name) {
      @Override
      Optional<LockHandle> attempt(long millis) throws Exception {
        FencedMutex mutex = FencedMutex.create(session.client(), path, ownerData);
        if (!mutex.acquire(millis, TimeUnit.MILLISECONDS)) {
          return Optional.empty();
        }
        String ours = mutex.ourPath();
        Long token = mutex.capturedToken(ours);
        return Optional.of(
            holdOnThisThread(name, ours, token != null ? token : tokenOf(ours), mutex::release));
      }
    };
  }

  @Override
  public DistributedLock readLock(String name) {
    return readWrite(name, true);
  }

  @Override
  public DistributedLock writeLock(String name) {
    return readWrite(name, false);
  }

  private DistributedLock readWrite(String name, boolean read) {
    String path = ZkLayout.lock(name);
    return new Lock(name) {
      @Override
      Optional<LockHandle> attempt(long millis) throws Exception {
        InterProcessReadWriteLock lock =
            new InterProcessReadWriteLock(session.client(), path, ownerData);
        if (read) {
          InterProcessReadWriteLock.ReadLock side = lock.readLock();
          if (!side.acquire(millis, TimeUnit.MILLISECONDS)) {
            return Optional.empty();
          }
          return Optional.of(
              holdOnThisThread(
                  name, side.getLockPath(), tokenOf(side.getLockPath()), side::release));
        }
        InterProcessReadWriteLock.WriteLock side = lock.writeLock();
        if (!side.acquire(millis, TimeUnit.MILLISECONDS)) {
          return Optional.empty();
        }
        return Optional.of(
            holdOnThisThread(name, side.getLockPath(), tokenOf(side.getLockPath()), side::release));
      }
    };
  }

  @Override
  public DistributedLock semaphore(String name, int permits) {
    if (permits < 1) {
      throw new InvalidInputException("a semaphore needs at least 1 permit, not " + permits);
    }
    String path = ZkLayout.semaphore(name);
    InterProcessSemaphoreV2 semaphore =
        semaphores.computeIfAbsent(
            name + "/" + permits,
            k -> {
              InterProcessSemaphoreV2 created =
                  new InterProcessSemaphoreV2(session.client(), path, permits);
              created.setNodeData(ownerData);
              return created;
            });
    return new Lock(name) {
      @Override
      Optional<LockHandle> attempt(long millis) throws Exception {
        org.apache.curator.framework.recipes.locks.Lease lease =
            semaphore.acquire(millis, TimeUnit.MILLISECONDS);
        if (lease == null) {
          return Optional.empty();
        }
        // Curator names the lease node only; it lives under the semaphore's "leases" child.
        String nodePath = ZkLayout.semaphoreLeases(name) + "/" + lease.getNodeName();
        // A lease is released from any thread.
        return Optional.of(hold(name, nodePath, tokenOf(nodePath), lease::close, null));
      }
    };
  }

  @Override
  public void close() {
    removeMeters.run();
    session.client().getConnectionStateListenable().removeListener(connectionListener);
    for (DefaultLockHandle handle : held) {
      handle.lose();
    }
    held.clear();
  }

  /** The bounded-wait logic shared by every kind of lock. */
  private abstract class Lock implements DistributedLock {
    private final String name;

    Lock(String name) {
      this.name = name;
    }

    abstract Optional<LockHandle> attempt(long millis) throws Exception;

    @Override
    public String name() {
      return name;
    }

    @Override
    public Optional<LockHandle> tryAcquire(Duration timeout) {
      long start = System.nanoTime();
      session.awaitConnected(timeout);
      long left =
          Math.max(
              0, timeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      try {
        return attempt(left);
      } catch (Exception e) {
        throw session.failure("acquiring lock " + name, e);
      }
    }
  }
}
