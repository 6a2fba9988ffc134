package dev.pipekeeper.faults;

import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The known traps of ZooKeeper clients, each a named scenario that provokes it against a real
 * three-server ensemble and checks that Pipekeeper's own recipes do not fall into it
 * (docs/reliability.md, "Known traps"). Each runs a number of rounds drawn from a seed; the clients
 * are real ZooKeeper sessions in this JVM, each behind {@code TcpProxy}s of its own.
 */
public enum Trap {
  /** A leader latch re-claiming leadership with its expired node after a session expiry. */
  CURATOR_696("trap-curator-696"),
  /** A double leader while the ensemble switches its own leader. */
  CURATOR_653("trap-curator-653"),
  /** Two RECONNECTED events in quick succession. */
  CURATOR_620("trap-curator-620"),
  /** A mutex held twice after the holder's session expired while it was partitioned. */
  CURATOR_604("trap-curator-604"),
  /** A protected-mode create taking a closing session's node for its own. */
  CURATOR_498("trap-curator-498"),
  /** Watches that miss a create and a delete made while the client was disconnected. */
  MISSED_WATCHES("trap-missed-watches");

  private static final Logger LOG = LoggerFactory.getLogger(Trap.class);

  /** Two holders of one role or lock believed they held it at the same moment. */
  public static final String OVERLAP = "overlap";

  /**
   * Something that must follow a fault (a leader, a lock, a view's convergence) did not in time.
   */
  public static final String STUCK = "stuck";

  /** A node a client counts as its own belongs to another (an expired or closing) session. */
  public static final String FOREIGN_NODE = "foreign-node";

  /** A term after a fault did not get an epoch above every earlier one. */
  public static final String EPOCH_NOT_RAISED = "epoch-not-raised";

  /** A lock holder did not learn that it lost the lock. */
  public static final String LOSS_UNNOTICED = "loss-unnoticed";

  /** A view or listener that ended on something other than ZooKeeper's state. */
  public static final String DIVERGED = "diverged";

  private final String scenario;

  Trap(String scenario) {
    this.scenario = scenario;
  }

  /** Its name for {@code --scenario}. */
  public String scenario() {
    return scenario;
  }

  /** The trap of {@code --scenario name}, if it is one. */
  public static Optional<Trap> named(String name) {
    return Arrays.stream(values()).filter(t -> t.scenario.equals(name)).findFirst();
  }

  /** Every scenario name. */
  public static List<String> scenarios() {
    return Arrays.stream(values()).map(Trap::scenario).toList();
  }

  /**
   * How to run.
   *
   * @param seed the rounds' seed (printed; the same seed draws the same lengths and choices)
   * @param rounds how many times the trap is provoked
   * @param session the clients' session timeout
   * @param recovery how long, after a fault ends, the expected state may take (plus the session)
   * @param dir where the histories go
   */
  public record Settings(long seed, int rounds, Duration session, Duration recovery, Path dir) {}

  /**
   * What a run gave.
   *
   * @param trap the scenario
   * @param report every broken invariant (the history checker's and the scenario's own) and the
   *     events and figures counted
   * @param skippedLines history lines that were not events
   */
  public record Result(Trap trap, HistoryChecker.Report report, List<String> skippedLines) {
    public Result {
      skippedLines = List.copyOf(skippedLines);
    }

    public boolean passed() {
      return report.passed();
    }
  }

  /** Runs the scenario on {@code zk} (three servers) under cluster {@code cluster}. */
  public Result run(Settings settings, EmbeddedZooKeeper zk, String cluster) {
    if (zk.serverCount() != 3) {
      throw new IllegalArgumentException("a trap needs a three-server ensemble");
    }
    LOG.info("trap {}: seed {}, {} rounds", scenario, settings.seed(), settings.rounds());
    try (TrapRun run = new TrapRun(settings, zk, cluster)) {
      provoke(run);
      return run.finish(this);
    }
  }

  private void provoke(TrapRun run) {
    try {
      switch (this) {
        case CURATOR_696 -> LeaderTraps.expiredLatchNode(run);
        case CURATOR_653 -> LeaderTraps.ensembleLeaderSwitch(run);
        case CURATOR_620 -> LeaderTraps.quickReconnects(run);
        case CURATOR_604 -> LockTraps.mutexAfterExpiry(run);
        case CURATOR_498 -> LockTraps.protectedCreate(run);
        case MISSED_WATCHES -> WatchTraps.missedChanges(run);
        default -> throw new IllegalStateException(name());
      }
    } catch (Exception e) {
      throw new IllegalStateException(scenario + " could not be run to its end: " + e, e);
    }
  }

  @Override
  public String toString() {
    return scenario.toLowerCase(Locale.ROOT);
  }
}
