package dev.pipekeeper.faults;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.faults.HistoryChecker.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A scenario's configuration as it changes it: each change sets the next mark, key {@value #MARK}
 * of one scope, and every worker must then acknowledge the new version (its {@code config-applied}
 * record in ZooKeeper, written by its member view) within the bound; a worker that does not is a
 * {@value #NOT_CONVERGED} violation. Used by the pipeline and the leader-lock scenarios. Not
 * thread-safe: the scenario's thread only.
 */
final class ConfigConvergence {
  /** The config key whose value is the scenario's mark: which configuration a worker runs. */
  static final String MARK = "faults.mark";

  /** A worker that did not apply a configuration change within the bound. */
  static final String NOT_CONVERGED = "not-converged";

  private final Pipekeeper pk;
  private final Scope scope;
  private final Duration bound;
  private final List<Violation> violations = new ArrayList<>();
  private int mark;
  private int version;
  private String setWhen = "";
  private int changes;

  ConfigConvergence(Pipekeeper pk, Scope scope, Duration bound) {
    this.pk = pk;
    this.scope = scope;
    this.bound = bound;
  }

  /** The mark set last (0 before the first change). */
  int mark() {
    return mark;
  }

  /** How many changes were made. */
  int changes() {
    return changes;
  }

  List<Violation> violations() {
    return List.copyOf(violations);
  }

  /** Sets the next mark and waits for {@code workers} to apply it; {@code when} is for the log. */
  void change(List<String> workers, String when) {
    set(when);
    await(workers);
  }

  /** Sets the next mark, and returns at once; {@link #await} then waits for it to be applied. */
  void set(String when) {
    int next = mark + 1;
    version =
        pk.config().set(scope, MARK, next, ChangeOptions.by("faults").comment(when)).scopeVersion();
    mark = next;
    setWhen = when;
    changes++;
  }

  /** Waits for {@code workers} to apply the last mark set; a violation if one does not in time. */
  void await(List<String> workers) {
    try {
      Awaitility.await("every worker applying mark " + mark)
          .atMost(bound)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> lagging(workers, version).isEmpty());
    } catch (ConditionTimeoutException e) {
      violations.add(
          new Violation(
              NOT_CONVERGED,
              lagging(workers, version)
                  + " had not applied "
                  + scope
                  + " version "
                  + version
                  + " (mark "
                  + mark
                  + ", set "
                  + setWhen
                  + ") within "
                  + bound));
    }
  }

  private List<String> lagging(List<String> workers, int version) {
    Map<String, AppliedConfig> applied = pk.config().applied();
    return workers.stream()
        .filter(
            worker -> {
              AppliedConfig config = applied.get(worker);
              return config == null || config.versions().getOrDefault(scope.path(), -1) < version;
            })
        .toList();
  }
}
