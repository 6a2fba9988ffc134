package dev.pipekeeper.faults;

import dev.pipekeeper.core.ensemble.EnsembleProbe;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.ZooKeeperNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of a scenario and the faults done to them: a three-server ZooKeeper ensemble, and
 * worker JVMs each reaching it through proxies of its own (one per server), so that one worker's
 * traffic can be cut. A worker prints {@code READY ID} once started and leaves when its standard
 * input closes. Not thread-safe: the scenario's one thread drives it.
 */
final class Fleet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** The kinds of fault a fleet can suffer. */
  enum Fault {
    /** {@code kill -9} of a worker, then a new process with the same id. */
    KILL_WORKER,
    /** {@code SIGSTOP} of a worker past its session timeout, then {@code SIGCONT}. */
    PAUSE_WORKER,
    /** A worker's ZooKeeper traffic cut at its proxies past its session timeout, then restored. */
    PARTITION_WORKER,
    /** One ZooKeeper server stopped, then restarted. */
    STOP_ZOOKEEPER_SERVER,
    /** Two of the three: no quorum, so nothing can be written until they are back. */
    STOP_TWO_ZOOKEEPER_SERVERS,
    /** The server that leads the ensemble stopped (the others elect a new one), then restarted. */
    STOP_ZOOKEEPER_LEADER,
    /**
     * A slow network: every byte of a worker's ZooKeeper traffic held 100 to 400 ms each way (well
     * under a third of its session timeout) at its proxies, then forwarded at once again.
     */
    SLOW_NETWORK,
    /**
     * The Kafka broker killed ({@code kill -9}) and started again on its port and data, where the
     * fleet has one ({@link KafkaBroker}).
     */
    RESTART_KAFKA_BROKER
  }

  /**
   * A fault as it was done.
   *
   * @param what what was done, in words
   * @param startMillis when it began (wall clock)
   * @param undoMillis when its undoing began: the pause, cut, delay or outage ended, the restart
   *     begun
   * @param endMillis when the fleet was whole again (restarted servers in their quorum, a restarted
   *     worker ready)
   */
  record Injected(String what, long startMillis, long undoMillis, long endMillis) {}

  private final EmbeddedZooKeeper zk;
  private final Class<?> main;
  private final Arguments arguments;
  private final Map<String, ChildJvm> workers = new LinkedHashMap<>();
  private final Map<String, List<TcpProxy>> proxies = new LinkedHashMap<>();
  private final KafkaBroker broker;
  private final Path logs;
  private final Map<String, Integer> incarnations = new LinkedHashMap<>();
  private int restartsBeforeReady;

  /** A worker's JVM: a small client, logging as logback-worker.xml says (to its log file). */
  private static final List<String> WORKER_JVM =
      Stream.concat(
              ChildJvm.CLIENT_OPTIONS.stream(),
              Stream.of("-Dlogback.configurationFile=logback-worker.xml"))
          .toList();

  /** A worker's command line. */
  interface Arguments {
    /**
     * The arguments of worker {@code id}, whose connect string through its proxies is {@code
     * proxied}; {@code direct} is the ensemble's own.
     */
    List<String> of(String id, String proxied, String direct);
  }

  /** Starts the ensemble in {@code dir}; workers run {@code main} with {@code arguments}. */
  Fleet(Path dir, Class<?> main, Arguments arguments) {
    this(dir, main, arguments, null);
  }

  /**
   * Starts the ensemble in {@code dir}; workers run {@code main} with {@code arguments}; {@code
   * broker}, when not null, is the Kafka broker {@link Fault#RESTART_KAFKA_BROKER} restarts (the
   * caller closes it).
   */
  Fleet(Path dir, Class<?> main, Arguments arguments, KafkaBroker broker) {
    this.main = main;
    this.arguments = arguments;
    this.broker = broker;
    this.logs = dir.resolveSibling("workers");
    this.zk = EmbeddedZooKeeper.builder().servers(3).quiet(true).dataDir(dir).build().start();
  }

  /**
   * The faults this fleet can suffer, in {@link Fault} order: all of them, but the broker's restart
   * where it has no broker.
   */
  List<Fault> faults() {
    return List.of(Fault.values()).stream()
        .filter(fault -> broker != null || fault != Fault.RESTART_KAFKA_BROKER)
        .toList();
  }

  /** The ensemble's own connect string (not through any proxy). */
  String connectString() {
    return zk.connectString();
  }

  List<String> ids() {
    return List.copyOf(workers.keySet());
  }

  /**
   * Starts worker {@code id} (again, after a kill), and waits for it to be ready. Like a service
   * manager, it starts the process again when it exits before it is ready: a member restarted with
   * a fixed id is refused while its killed predecessor's session lives on (until the session
   * timeout), and exits.
   */
  void start(String id) {
    List<TcpProxy> own = proxies.get(id);
    if (own == null) {
      own = new ArrayList<>();
      for (ZooKeeperNode server : zk.servers()) {
        own.add(TcpProxy.start("127.0.0.1", server.clientPort()));
      }
      proxies.put(id, own);
    }
    String proxied = own.stream().map(TcpProxy::address).collect(Collectors.joining(","));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      ChildJvm worker =
          ChildJvm.start(main, arguments.of(id, proxied, zk.connectString()), WORKER_JVM);
      keepLines(id, workers.put(id, worker));
      try {
        worker.awaitLine("READY", Duration.ofSeconds(60));
        return;
      } catch (RuntimeException e) {
        if (!worker.isAlive() && System.nanoTime() < deadline) {
          restartsBeforeReady++;
          park(Duration.ofMillis(500)); // a service manager's restart delay
          continue;
        }
        List<String> lines = worker.lines();
        throw new IllegalStateException(
            "worker "
                + id
                + " did not start; its last lines: "
                + lines.subList(Math.max(0, lines.size() - 20), lines.size()),
            e);
      }
    }
  }

  /** How many times a worker exited before it was ready and was started again. */
  int restartsBeforeReady() {
    return restartsBeforeReady;
  }

  /**
   * Injects {@code fault}, lasting {@code length} where it lasts, to worker {@code id} where it is
   * done to a worker; returns what was done and when.
   */
  Injected inject(Fault fault, String id, Duration length, Random random) {
    long start = System.currentTimeMillis();
    long[] undo = {start};
    String what = inject(fault, id, length, random, undo);
    return new Injected(what, start, undo[0], System.currentTimeMillis());
  }

  /** Does the fault; sets {@code undo[0]} to when its undoing began. */
  private String inject(Fault fault, String id, Duration length, Random random, long[] undo) {
    switch (fault) {
      case KILL_WORKER -> {
        workers.get(id).kill();
        undo[0] = System.currentTimeMillis();
        start(id);
        return "kill -9 " + id + " and restart it";
      }
      case PAUSE_WORKER -> {
        ChildJvm worker = workers.get(id);
        worker.pause();
        undo[0] = park(length);
        worker.resume();
        return "SIGSTOP " + id + " for " + length.toMillis() + " ms";
      }
      case PARTITION_WORKER -> {
        proxies.get(id).forEach(TcpProxy::cut);
        undo[0] = park(length);
        proxies.get(id).forEach(TcpProxy::restore);
        return "cut " + id + "'s ZooKeeper traffic for " + length.toMillis() + " ms";
      }
      case STOP_ZOOKEEPER_SERVER -> {
        ZooKeeperNode server = zk.server(1 + random.nextInt(3));
        server.stop();
        undo[0] = park(length);
        server.start();
        return "stop ZooKeeper server " + server.id() + " for " + length.toMillis() + " ms";
      }
      case STOP_TWO_ZOOKEEPER_SERVERS -> {
        int spared = 1 + random.nextInt(3);
        List<ZooKeeperNode> stopped =
            zk.servers().stream().filter(server -> server.id() != spared).toList();
        stopped.forEach(ZooKeeperNode::stop);
        undo[0] = park(length);
        // Each start returns once its server is in a quorum, which needs the other one too.
        Thread first = new Thread(stopped.get(0)::start, "fault-restart-" + stopped.get(0).id());
        first.start();
        stopped.get(1).start();
        try {
          first.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while restarting ZooKeeper servers", e);
        }
        return "stop ZooKeeper servers "
            + stopped.get(0).id()
            + " and "
            + stopped.get(1).id()
            + " for "
            + length.toMillis()
            + " ms";
      }
      case STOP_ZOOKEEPER_LEADER -> {
        ZooKeeperNode leader = leader();
        leader.stop();
        undo[0] = park(length);
        leader.start();
        return "stop ZooKeeper leader (server "
            + leader.id()
            + ") for "
            + length.toMillis()
            + " ms";
      }
      case SLOW_NETWORK -> {
        Duration delay = Duration.ofMillis(100 + random.nextInt(301));
        proxies.get(id).forEach(proxy -> proxy.delay(delay));
        undo[0] = park(length);
        proxies.get(id).forEach(proxy -> proxy.delay(Duration.ZERO));
        return "delay "
            + id
            + "'s ZooKeeper traffic by "
            + delay.toMillis()
            + " ms each way for "
            + length.toMillis()
            + " ms";
      }
      case RESTART_KAFKA_BROKER -> {
        if (broker == null) {
          throw new IllegalArgumentException("this fleet has no Kafka broker to restart");
        }
        broker.kill();
        undo[0] = park(length);
        broker.start();
        return "kill -9 the Kafka broker, start it again after " + length.toMillis() + " ms";
      }
      default -> throw new IllegalArgumentException(fault.name());
    }
  }

  /** The server whose {@code srvr} says it leads (the ensemble always has one between faults). */
  private ZooKeeperNode leader() {
    EnsembleProbe probe = new EnsembleProbe(Duration.ofSeconds(5), Runnable::run);
    for (ZooKeeperNode server : zk.servers()) {
      boolean leads =
          probe.probe(server.clientAddress()).stream()
              .anyMatch(status -> status.mode().filter("leader"::equals).isPresent());
      if (leads) {
        return server;
      }
    }
    throw new IllegalStateException("no ZooKeeper server says it leads");
  }

  /** Lets every worker leave (standard input closed), killing those that do not in time. */
  void stopWorkers() {
    for (ChildJvm worker : workers.values()) {
      worker.stop(Duration.ofSeconds(15));
    }
  }

  /**
   * The fault's length: the time a pause or an outage lasts, not a wait for a state; returns the
   * wall clock at its end.
   */
  private static long park(Duration duration) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(duration.toMillis()));
    return System.currentTimeMillis();
  }

  /**
   * Writes what a worker's process printed to {@code workers/ID-N.log} beside the ensemble's data
   * ({@code N} counts the processes of that id), for reading after a failed run.
   */
  private void keepLines(String id, ChildJvm worker) {
    if (worker == null) {
      return;
    }
    int n = incarnations.merge(id, 1, Integer::sum);
    try {
      Files.createDirectories(logs);
      Files.write(logs.resolve(id + "-" + n + ".log"), worker.lines());
    } catch (IOException e) {
      LOG.warn("could not keep the output of worker {}: {}", id, e.toString());
    }
  }

  @Override
  public void close() {
    workers.forEach((id, worker) -> keepLines(id, worker));
    workers.values().forEach(ChildJvm::close);
    proxies.values().forEach(list -> list.forEach(TcpProxy::close));
    zk.close();
  }
}
