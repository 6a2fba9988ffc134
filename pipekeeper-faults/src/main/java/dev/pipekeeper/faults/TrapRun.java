package dev.pipekeeper.faults;

import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.assignment.Assignment;
import dev.pipekeeper.core.ensemble.EnsembleProbe;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.LeaseListener;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.faults.HistoryChecker.Violation;
import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What every trap scenario needs while it runs: its clients, their contenders for a role (each
 * publishing the role's assignment under its lease, fenced, while it leads), a sampler that fails
 * the run when two holders of one role or lock believe they hold it at the same moment, a direct
 * client to read ZooKeeper's truth, bounded waits that count a miss as a violation, and the checked
 * history at the end. Driven by the scenario's one thread.
 */
final class TrapRun implements AutoCloseable {
  /** How often the sampler looks at who believes it holds what. */
  private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private static final long PACE_MILLIS = 20;

  final Trap.Settings settings;
  final Random random;
  private final EmbeddedZooKeeper zk;
  private final String cluster;
  private final Path histories;
  private final Map<String, TrapClient> clients = new LinkedHashMap<>();
  private final List<Leadership> leaderships = new ArrayList<>();
  private final Map<String, Map<String, BooleanSupplier>> holders = new TreeMap<>();
  private final List<Violation> violations = new CopyOnWriteArrayList<>();
  private final Map<String, Long> figures = new TreeMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<AutoCloseable> closeLater = new ArrayList<>();
  private final CuratorFramework raw;
  private volatile boolean running = true;
  private long overlapSamples;

  TrapRun(Trap.Settings settings, EmbeddedZooKeeper zk, String cluster) {
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.zk = zk;
    this.cluster = cluster;
    this.histories = settings.dir().resolve("history-" + cluster);
    this.raw =
        CuratorFrameworkFactory.builder()
            .connectString(zk.connectString())
            .namespace(ZkLayout.namespace(cluster))
            .sessionTimeoutMs(30_000)
            .retryPolicy(new ExponentialBackoffRetry(100, 5))
            .build();
    raw.start();
    Thread sampler = new Thread(this::sample, "trap-sampler");
    sampler.setDaemon(true);
    threads.add(sampler);
    sampler.start();
  }

  EmbeddedZooKeeper zookeeper() {
    return zk;
  }

  Duration session() {
    return settings.session();
  }

  /** A new client {@code id} (its own session and proxies). */
  TrapClient client(String id) {
    TrapClient client = TrapClient.connect(zk, cluster, id, settings.session(), histories);
    clients.put(id, client);
    return client;
  }

  /**
   * {@code client} contends for {@code role}; its grants and revocations go to its history and,
   * while its lease is valid, it publishes group {@code role}'s assignment under it (each
   * publication fenced by the lease in the same multi-op, recorded with its generation).
   */
  Leadership contend(TrapClient client, String role) {
    HistoryLog history = client.history();
    Leadership leadership =
        client
            .pk()
            .leadership(role)
            .addListener(
                new LeaseListener() {
                  @Override
                  public void granted(Lease lease) {
                    history.record(Kind.GRANTED, role, lease.epoch(), 0);
                  }

                  @Override
                  public void revoked(Lease lease) {
                    history.record(Kind.REVOKED, role, lease.epoch(), 0);
                  }
                })
            .start();
    leaderships.add(leadership);
    holder("role " + role, client.id(), () -> leadership.currentLease().isPresent());
    background(
        "trap-publisher-" + client.id(),
        () -> {
          Optional<Lease> lease = leadership.currentLease();
          if (lease.isPresent()) {
            try {
              Assignment published =
                  client.pk().assignments(role).publish(lease.get(), Map.of("u1", client.id()));
              history.record(Kind.PUBLISHED, role, published.epoch(), published.generation());
            } catch (FencedException e) {
              // deposed: ZooKeeper refused the write, as it must
            } catch (PipekeeperException e) {
              // no answer from ZooKeeper: the fault of the scenario
            }
          }
        });
    return leadership;
  }

  /** Closes {@code closeable} when the run ends, before the clients. */
  void closeLater(AutoCloseable closeable) {
    closeLater.add(closeable);
  }

  /** Counts {@code holds} among those of {@code resource} the sampler compares. */
  synchronized void holder(String resource, String who, BooleanSupplier holds) {
    holders.computeIfAbsent(resource, r -> new LinkedHashMap<>()).put(who, holds);
  }

  /** Runs {@code step} every 20 ms on a thread of its own until the run ends. */
  void background(String name, Runnable step) {
    Thread thread =
        new Thread(
            () -> {
              while (running) {
                step.run();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PACE_MILLIS));
              }
            },
            name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /** Two holders of one resource that believe they hold it at the same moment: a violation. */
  private void sample() {
    while (running) {
      Map<String, Map<String, BooleanSupplier>> now;
      synchronized (this) {
        now = copy();
      }
      now.forEach(
          (resource, who) -> {
            List<String> holding = new ArrayList<>();
            who.forEach(
                (id, holds) -> {
                  if (holds.getAsBoolean()) {
                    holding.add(id);
                  }
                });
            if (holding.size() > 1) {
              overlapSamples++;
              if (overlapSamples <= 5) {
                violation(Trap.OVERLAP, resource + " believed held by " + holding + " at once");
              }
            }
          });
      LockSupport.parkNanos(SAMPLE_NANOS);
    }
  }

  private Map<String, Map<String, BooleanSupplier>> copy() {
    Map<String, Map<String, BooleanSupplier>> copy = new TreeMap<>();
    holders.forEach((resource, who) -> copy.put(resource, new LinkedHashMap<>(who)));
    return copy;
  }

  void violation(String invariant, String detail) {
    violations.add(new Violation(invariant, detail));
  }

  void count(String figure) {
    figures.merge(figure, 1L, Long::sum);
  }

  void figure(String figure, long value) {
    figures.merge(figure, value, Math::max);
  }

  /**
   * Waits (bounded by the settings' recovery) until {@code condition}; a miss is a {@link
   * Trap#STUCK} violation naming {@code what}.
   *
   * @return whether it held in time
   */
  boolean await(String what, Callable<Boolean> condition) {
    try {
      org.awaitility.Awaitility.await(what)
          .atMost(settings.recovery().plus(settings.session()))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(condition);
      return true;
    } catch (ConditionTimeoutException e) {
      violation(Trap.STUCK, what + " not within " + settings.recovery().plus(settings.session()));
      return false;
    }
  }

  /** The fault's length: the time a cut or an outage lasts, not a wait for a state. */
  static void park(Duration duration) {
    LockSupport.parkNanos(duration.toNanos());
  }

  /** {@code base} plus a seeded random part of {@code spread} (may be negative). */
  Duration jitter(Duration base, int fromMillis, int toMillis) {
    return base.plusMillis(fromMillis + random.nextInt(toMillis - fromMillis + 1));
  }

  /**
   * A node of ZooKeeper's truth: its data, the session that owns it (0: persistent) and the zxid
   * that created it (a lock's fencing token).
   */
  record Node(String name, String data, long owner, long czxid) {}

  /** The children of {@code path} (relative to the cluster's root) as ZooKeeper holds them now. */
  List<Node> children(String path) throws Exception {
    List<Node> nodes = new ArrayList<>();
    List<String> names;
    try {
      names = raw.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException none) {
      return nodes;
    }
    for (String name : names) {
      Stat stat = new Stat();
      try {
        byte[] data = raw.getData().storingStatIn(stat).forPath(path + "/" + name);
        nodes.add(
            new Node(
                name,
                data == null ? "" : new String(data, StandardCharsets.UTF_8),
                stat.getEphemeralOwner(),
                stat.getCzxid()));
      } catch (KeeperException.NoNodeException gone) {
        // deleted between the listing and the read
      }
    }
    return nodes;
  }

  /**
   * Whether the latch nodes of {@code role} are exactly one per contender in {@code contenders},
   * each owned by that contender's current session: no node of an expired session taken for a live
   * one, none missing, none twice.
   */
  boolean latchNodesAreLive(String role, Collection<TrapClient> contenders) throws Exception {
    List<Node> nodes = children(ZkLayout.leaders(role));
    if (nodes.size() != contenders.size()) {
      return false;
    }
    for (TrapClient client : contenders) {
      long own = client.sessionId();
      if (nodes.stream().filter(n -> n.data().equals(client.id()) && n.owner() == own).count()
          != 1) {
        return false;
      }
    }
    return true;
  }

  /** The role's epoch as ZooKeeper holds it (0 before the first leader). */
  long epoch(String role) throws Exception {
    try {
      return Long.parseLong(
          new String(raw.getData().forPath(ZkLayout.epoch(role)), StandardCharsets.UTF_8).trim());
    } catch (KeeperException.NoNodeException none) {
      return 0;
    }
  }

  /** The server whose {@code srvr} says it leads, if one does now. */
  Optional<ZooKeeperNode> zookeeperLeader() {
    EnsembleProbe probe = new EnsembleProbe(Duration.ofSeconds(2), Runnable::run);
    for (ZooKeeperNode server : zk.servers()) {
      if (server.isRunning()
          && probe.probe(server.clientAddress()).stream()
              .anyMatch(status -> status.mode().filter("leader"::equals).isPresent())) {
        return Optional.of(server);
      }
    }
    return Optional.empty();
  }

  /** Stops the threads, closes the contenders and clients, and checks the history. */
  Trap.Result finish(Trap trap) {
    long lost = clients.values().stream().mapToLong(TrapClient::losses).sum();
    long reconnected = clients.values().stream().mapToLong(TrapClient::reconnects).sum();
    close();
    figures.put("sessions lost", lost);
    figures.put("reconnects", reconnected);
    History history = History.read(histories);
    HistoryChecker.Report checked = HistoryChecker.check(history);
    List<Violation> all = new ArrayList<>(checked.violations());
    all.addAll(violations);
    Map<String, Long> counts = new TreeMap<>(checked.counts());
    counts.putAll(figures);
    if (overlapSamples > 0) {
      counts.put("overlap samples", overlapSamples);
    }
    return new Trap.Result(trap, new HistoryChecker.Report(all, counts), history.skipped());
  }

  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    for (Thread thread : threads) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (TrapClient client : clients.values()) {
      client.restore();
    }
    for (AutoCloseable closeable : closeLater) {
      try {
        closeable.close();
      } catch (Exception e) {
        violation(Trap.STUCK, "closing " + closeable + " failed: " + e);
      }
    }
    leaderships.forEach(Leadership::close);
    clients.values().forEach(TrapClient::close);
    raw.close();
  }
}
