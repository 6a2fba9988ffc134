package dev.pipekeeper.faults;

import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.faults.Fleet.Fault;
import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes contending for one role and one lock ({@link FaultWorker}) on a three-server ZooKeeper
 * ensemble, under faults drawn from a seeded random schedule: a worker killed with {@code kill -9}
 * and restarted; the leader paused ({@code SIGSTOP}) past its session timeout and resumed; a
 * worker's ZooKeeper traffic cut at its proxies and restored; one ZooKeeper server, or two (the
 * quorum lost), stopped and restarted. After each fault the scenario waits for the role to be
 * published under again (a bounded wait: missing it is a stall, which fails the run). The moment
 * each fault ends, the configuration changes ({@link ConfigConvergence}), and every worker must
 * apply the change within the recovery bound. Then the history is checked.
 */
public final class LeaderLockScenario {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderLockScenario.class);

  /**
   * How to run.
   *
   * @param seed the schedule's seed (printed; the same seed draws the same faults)
   * @param workers how many worker processes
   * @param faults how many faults, one after the other
   * @param session the workers' session timeout
   * @param recovery how long, after a fault ends, the role may take to be published under again
   * @param dir where the servers' data and the histories go
   */
  public record Settings(
      long seed, int workers, int faults, Duration session, Duration recovery, Path dir) {}

  /**
   * What a run gave.
   *
   * @param report the checker's verdict on the whole history
   * @param injected how many faults of each kind were injected (a paused worker is the leader)
   * @param stalls faults after which nothing was published within the recovery bound
   * @param recoveries for each fault, from its end until the next publication (wall clock)
   * @param skippedLines history lines that were not events
   */
  public record Result(
      HistoryChecker.Report report,
      Map<String, Integer> injected,
      List<String> stalls,
      List<Duration> recoveries,
      List<String> skippedLines) {
    public boolean passed() {
      return report.passed() && stalls.isEmpty();
    }
  }

  private final Settings settings;
  private final Path histories;
  private final Random random;

  private LeaderLockScenario(Settings settings) {
    this.settings = settings;
    this.histories = settings.dir().resolve("history");
    this.random = new Random(settings.seed());
  }

  /** Runs the scenario and checks its history. */
  public static Result run(Settings settings) {
    LOG.info(
        "fault scenario leader-lock: seed {}, {} workers, {} faults",
        settings.seed(),
        settings.workers(),
        settings.faults());
    LeaderLockScenario scenario = new LeaderLockScenario(settings);
    try (Fleet fleet = scenario.fleet()) {
      return scenario.runAll(fleet);
    }
  }

  private Fleet fleet() {
    return new Fleet(
        settings.dir().resolve("zookeeper"),
        FaultWorker.class,
        (id, proxied, direct) ->
            List.of(
                proxied,
                direct,
                "faults",
                id,
                histories.toString(),
                Long.toString(settings.session().toMillis())));
  }

  private Result runAll(Fleet fleet) {
    try (Pipekeeper setup =
        Pipekeeper.builder()
            .zookeeper(fleet.connectString())
            .cluster("faults")
            .identity("faults-setup")
            .build()) {
      return runAll(fleet, new ConfigConvergence(setup, FaultWorker.SCOPE, settings.recovery()));
    }
  }

  private Result runAll(Fleet fleet, ConfigConvergence configurations) {
    for (int i = 1; i <= settings.workers(); i++) {
      fleet.start("w" + i);
    }
    awaitPublication(0, "the start");

    Map<String, Integer> injected = new TreeMap<>();
    List<String> stalls = new ArrayList<>();
    List<Duration> recoveries = new ArrayList<>();
    List<Fault> kinds = fleet.faults();
    Duration past = settings.session().plusSeconds(1);
    for (int n = 1; n <= settings.faults(); n++) {
      Fault fault = kinds.get(random.nextInt(kinds.size()));
      List<String> ids = fleet.ids();
      // A pause is done to the leader, the one whose pause matters most.
      String id = fault == Fault.PAUSE_WORKER ? leader(ids) : ids.get(random.nextInt(ids.size()));
      String what = fleet.inject(fault, id, past, random).what();
      injected.merge(fault == Fault.PAUSE_WORKER ? "PAUSE_LEADER" : fault.name(), 1, Integer::sum);
      long ended = System.nanoTime();
      long generation = newestGeneration();
      // At once, as a change an operator makes just as a paused process comes back; every
      // worker must apply it (after the publication is awaited, so as not to delay its figure).
      configurations.set("after fault " + n);
      try {
        awaitPublication(generation, "fault " + n + " (" + what + ")");
        recoveries.add(Duration.ofNanos(System.nanoTime() - ended));
      } catch (ConditionTimeoutException e) {
        stalls.add(
            "fault " + n + " (" + what + "): nothing published within " + settings.recovery());
      }
      configurations.await(fleet.ids());
      LOG.info("fault {}/{}: {}", n, settings.faults(), what);
    }
    fleet.stopWorkers();
    History history = History.read(histories);
    HistoryChecker.Report checked = HistoryChecker.check(history);
    List<HistoryChecker.Violation> violations = new ArrayList<>(checked.violations());
    violations.addAll(configurations.violations());
    Map<String, Long> counts = new TreeMap<>(checked.counts());
    counts.put("config_changes", (long) configurations.changes());
    return new Result(
        new HistoryChecker.Report(violations, counts),
        injected,
        stalls,
        recoveries,
        history.skipped());
  }

  /** The worker last granted the role, by epoch (the greatest epoch is ZooKeeper's newest term). */
  private String leader(List<String> ids) {
    return History.read(histories).events().stream()
        .filter(e -> e.kind() == Kind.GRANTED)
        .max(Comparator.comparingLong(HistoryEvent::token))
        .map(HistoryEvent::process)
        .orElse(ids.get(0));
  }

  private long newestGeneration() {
    return History.read(histories).events().stream()
        .filter(e -> e.kind() == Kind.PUBLISHED)
        .mapToLong(HistoryEvent::order)
        .max()
        .orElse(0);
  }

  private void awaitPublication(long after, String what) {
    await("a publication after " + what)
        .atMost(settings.recovery().plus(settings.session()))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> newestGeneration() > after);
  }
}
