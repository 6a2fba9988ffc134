package dev.pipekeeper.faults;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.LeaseListener;
import dev.pipekeeper.core.locks.DistributedLock;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A process of a fault scenario: contends for role {@value #ROLE} and, while it leads, publishes
 * the assignment of group {@value #GROUP} again and again (fenced by its lease); takes lock {@value
 * #LOCK} in turns with the others and, while it holds it, writes the lock's store, an outside
 * system that remembers the greatest fencing token it accepted and refuses older ones. Everything
 * it is granted, publishes, takes and writes goes to its {@link HistoryLog}.
 *
 * <p>Its Pipekeeper connection goes through the scenario's proxies (so the scenario can cut it);
 * the store is reached directly, as an outside system would be. It prints {@code READY ID} once
 * started and exits when its standard input closes.
 *
 * <p>Arguments: proxied connect string, direct connect string, cluster, member id, history folder,
 * session timeout in ms.
 */
public final class FaultWorker {
  static final String ROLE = "leader";
  static final String GROUP = "g";
  static final String LOCK = "l";

  /** The scope whose mark the scenario changes ({@link ConfigConvergence}): group g's pipeline. */
  static final Scope SCOPE = Scope.pipeline(GROUP);

  /** The store's node, outside Pipekeeper's tree: the outside system of the lock's holders. */
  static final String STORE = "/faults-store/" + LOCK;

  /** How long a holder keeps the lock and a leader waits between publications. */
  private static final long PACE_MILLIS = 20;

  private final Pipekeeper pk;
  private final CuratorFramework store;
  private final HistoryLog history;
  private volatile boolean running = true;

  private FaultWorker(Pipekeeper pk, CuratorFramework store, HistoryLog history) {
    this.pk = pk;
    this.store = store;
    this.history = history;
  }

  public static void main(String[] args) throws Exception {
    String id = args[3];
    Duration session = Duration.ofMillis(Long.parseLong(args[5]));
    try (HistoryLog history = HistoryLog.open(Path.of(args[4]), id);
        Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(args[0])
                .cluster(args[2])
                .identity(id)
                .sessionTimeout(session)
                .connectionTimeout(Duration.ofSeconds(30))
                .build();
        CuratorFramework store =
            CuratorFrameworkFactory.newClient(
                args[1], 30_000, 10_000, new ExponentialBackoffRetry(100, 5))) {
      store.start();
      FaultWorker worker = new FaultWorker(pk, store, history);
      worker.run(id);
    }
  }

  private void run(String id) throws IOException {
    // A member's view of the scenario's configuration: it acknowledges each version it applies
    // (ConfigConvergence waits for that), and the history records each one.
    ConfigView config = pk.config().view(GROUP, id);
    config.onBatch(
        change ->
            history.record(
                Kind.CONFIG_APPLIED, SCOPE.path(), change.versions().getOrDefault(SCOPE, -1), 0));
    Leadership leadership =
        pk.leadership(ROLE)
            .addListener(
                new LeaseListener() {
                  @Override
                  public void granted(Lease lease) {
                    history.record(Kind.GRANTED, ROLE, lease.epoch(), 0);
                  }

                  @Override
                  public void revoked(Lease lease) {
                    history.record(Kind.REVOKED, ROLE, lease.epoch(), 0);
                  }
                })
            .start();
    Thread leader = new Thread(() -> lead(leadership, id), "fault-worker-leader");
    Thread holder = new Thread(this::holdLock, "fault-worker-lock");
    leader.start();
    holder.start();
    System.out.println("READY " + id);
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // until the scenario closes our standard input
    }
    running = false;
    leadership.close();
    config.close();
    try {
      leader.join(10_000);
      holder.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** While leading, publishes the next generation of {@value #GROUP}, fenced by the lease. */
  private void lead(Leadership leadership, String id) {
    while (running) {
      Optional<Lease> lease = leadership.currentLease().filter(Lease::isValid);
      if (lease.isPresent()) {
        try {
          Assignment published = pk.assignments(GROUP).publish(lease.get(), Map.of("u1", id));
          history.record(Kind.PUBLISHED, GROUP, published.epoch(), published.generation());
        } catch (FencedException e) {
          // deposed: ZooKeeper refused the write, as it must
        } catch (PipekeeperException e) {
          // no answer from ZooKeeper: a fault of the scenario
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PACE_MILLIS));
    }
  }

  /** Takes the lock in turn and, holding it, writes the store under its fencing token. */
  private void holdLock() {
    DistributedLock lock = pk.locks().mutex(LOCK);
    while (running) {
      Optional<LockHandle> acquired;
      try {
        acquired = lock.tryAcquire(Duration.ofSeconds(1));
      } catch (PipekeeperException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PACE_MILLIS));
        continue;
      }
      if (acquired.isEmpty()) {
        continue;
      }
      try (LockHandle handle = acquired.get()) {
        history.record(Kind.LOCKED, LOCK, handle.fencingToken(), 0);
        for (int i = 0; i < 3 && running && handle.isValid(); i++) {
          write(handle.fencingToken());
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PACE_MILLIS));
        }
        history.record(Kind.UNLOCKED, LOCK, handle.fencingToken(), 0);
      } catch (PipekeeperException e) {
        // the release found the session gone: the lock is given up all the same
      }
    }
  }

  /** The store's own rule: accept a token at least as new as the newest it accepted. */
  private void write(long token) {
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        Stat stat = new Stat();
        long newest;
        try {
          byte[] data = store.getData().storingStatIn(stat).forPath(STORE);
          newest = Long.parseLong(new String(data, StandardCharsets.US_ASCII));
        } catch (KeeperException.NoNodeException none) {
          try {
            store
                .create()
                .creatingParentsIfNeeded()
                .forPath(STORE, "0".getBytes(StandardCharsets.US_ASCII));
          } catch (KeeperException.NodeExistsException raced) {
            // another holder made it first
          }
          continue;
        }
        if (token < newest) {
          history.record(Kind.STORE_REFUSED, STORE, token, newest);
          return;
        }
        Stat written =
            store
                .setData()
                .withVersion(stat.getVersion())
                .forPath(STORE, Long.toString(token).getBytes(StandardCharsets.US_ASCII));
        history.record(Kind.STORE_WRITE, STORE, token, written.getVersion());
        return;
      } catch (KeeperException.BadVersionException raced) {
        // another write came between our read and our write: read again
      } catch (Exception e) {
        return; // the store did not answer: this write is not made
      }
    }
  }
}
