package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Resolution;
import dev.pipekeeper.core.monitor.Rule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One step of every alert's lifecycle, as a pure function of the alerts as stored, what the rules
 * found now, and the time: no I/O, so it is tested alone (seeded property tests).
 *
 * <ul>
 *   <li>A condition seen for the first time makes a PENDING alert; once it has held for the rule's
 *       {@code for}, the alert FIRES. A pending alert whose condition goes away is dropped.
 *   <li>A firing alert whose condition is gone starts clearing; once it has been gone for the
 *       rule's {@code keepFiringFor}, the alert RESOLVES.
 *   <li>A resolved alert stays (RESOLVED) for the flap window: if its condition comes back within
 *       it, it is the same alert firing again, and its firing count grows; at {@link
 *       #FLAPPING_FIRINGS} firings it is flapping, and its notifications are held until it has kept
 *       one state for the whole flap window. Past the window, once every sink was told (or a second
 *       window later in any case), it is removed.
 *   <li>A rule whose result is unknown this time (its source did not answer) changes nothing of its
 *       alerts.
 *   <li>An alert whose rule no longer exists (the rules changed) ends at once: a firing one
 *       RESOLVES with {@link Resolution#RULE_REMOVED}, not as a recovery ({@link
 *       Resolution#RECOVERED}), since nobody watches its condition any more; a pending one is
 *       dropped.
 * </ul>
 */
final class AlertLifecycle {
  /** Firings within one chain of flap windows at which an alert counts as flapping. */
  static final int FLAPPING_FIRINGS = 3;

  private AlertLifecycle() {}

  /** A condition a rule found: the alert key it belongs to, its subject and its summary. */
  record Condition(String key, Map<String, String> labels, String summary) {}

  /**
   * What one rule found in one evaluation.
   *
   * @param rule the rule
   * @param known false if the rule could not be evaluated (e.g. its source is unreachable): its
   *     alerts are left as they are
   * @param conditions the conditions that hold now
   * @param unknownKeys alert keys whose subject could not be judged this time (left as they are)
   */
  record RuleResult(Rule rule, boolean known, List<Condition> conditions, Set<String> unknownKeys) {
    static RuleResult unknown(Rule rule) {
      return new RuleResult(rule, false, List.of(), Set.of());
    }

    static RuleResult of(Rule rule, List<Condition> conditions) {
      return new RuleResult(rule, true, conditions, Set.of());
    }
  }

  /**
   * The outcome of a step.
   *
   * @param alerts every alert after the step, by key
   * @param written alerts created or changed in a way worth storing (state, timers, flags)
   * @param removed keys of alerts to delete
   * @param transitions alerts that started FIRING or RESOLVED in this step (for the history)
   */
  record Step(
      Map<String, Alert> alerts,
      List<Alert> written,
      List<String> removed,
      List<Alert> transitions) {
    boolean changed() {
      return !written.isEmpty() || !removed.isEmpty();
    }
  }

  static Step step(
      Map<String, Alert> current,
      List<RuleResult> results,
      Set<String> sinks,
      Duration flapWindow,
      long epoch,
      Instant now) {
    Map<String, Alert> next = new TreeMap<>(current);
    List<Alert> written = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<Alert> transitions = new ArrayList<>();
    Map<String, RuleResult> byRule = new HashMap<>();
    for (RuleResult result : results) {
      byRule.put(result.rule().name(), result);
      if (!result.known()) {
        continue;
      }
      for (Condition c : result.conditions()) {
        Alert before = current.get(c.key());
        Alert after = present(before, result.rule(), c, flapWindow, epoch, now);
        next.put(c.key(), after);
        noteChange(before, after, written, transitions);
      }
    }
    for (Alert alert : current.values()) {
      RuleResult result = byRule.get(alert.rule());
      if (result != null
          && (!result.known()
              || result.unknownKeys().contains(alert.key())
              || result.conditions().stream().anyMatch(c -> c.key().equals(alert.key())))) {
        continue; // unknown this time, or present (handled above)
      }
      Alert after =
          result == null
              ? ruleRemoved(alert, sinks, flapWindow, epoch, now)
              : absent(alert, result.rule().keepFiringFor(), sinks, flapWindow, epoch, now);
      if (after == null) {
        next.remove(alert.key());
        removed.add(alert.key());
      } else {
        next.put(alert.key(), after);
        noteChange(alert, after, written, transitions);
      }
    }
    return new Step(next, written, removed, transitions);
  }

  /** Records {@code after} as written if it differs from {@code before} in what is stored. */
  private static void noteChange(
      Alert before, Alert after, List<Alert> written, List<Alert> transitions) {
    if (before == null || !sameStored(before, after)) {
      written.add(after);
    }
    boolean fired =
        after.state() == AlertState.FIRING
            && (before == null || before.state() != AlertState.FIRING);
    boolean resolved =
        after.state() == AlertState.RESOLVED
            && before != null
            && before.state() == AlertState.FIRING;
    if (fired || resolved) {
      transitions.add(after);
    }
  }

  /** The condition holds now. */
  private static Alert present(
      Alert before, Rule rule, Condition c, Duration flapWindow, long epoch, Instant now) {
    if (before == null) {
      Alert pending =
          new Alert(
              c.key(),
              rule.name(),
              rule.kind(),
              rule.severity(),
              AlertState.PENDING,
              c.labels(),
              c.summary(),
              now,
              null,
              null,
              null,
              0,
              false,
              Map.of(),
              epoch,
              now);
      return fireIfDue(pending, rule, flapWindow, epoch, now);
    }
    switch (before.state()) {
      case FIRING -> {
        boolean flapping = steady(before, flapWindow, now);
        return with(
            before,
            AlertState.FIRING,
            c,
            before.pendingSince(),
            before.firedAt(),
            before.resolvedAt(),
            null,
            calmed(before, flapping),
            flapping,
            epoch,
            now);
      }
      case RESOLVED -> {
        Alert pending =
            with(
                before,
                AlertState.PENDING,
                c,
                now,
                before.firedAt(),
                before.resolvedAt(),
                null,
                before.fired(),
                before.flapping(),
                epoch,
                now);
        return fireIfDue(pending, rule, flapWindow, epoch, now);
      }
      default -> {
        Alert pending =
            with(
                before,
                AlertState.PENDING,
                c,
                before.pendingSince(),
                before.firedAt(),
                before.resolvedAt(),
                null,
                before.fired(),
                before.flapping(),
                epoch,
                now);
        return fireIfDue(pending, rule, flapWindow, epoch, now);
      }
    }
  }

  private static Alert fireIfDue(
      Alert pending, Rule rule, Duration flapWindow, long epoch, Instant now) {
    if (Duration.between(pending.pendingSince(), now).compareTo(rule.forDuration()) < 0) {
      return pending;
    }
    int fired = pending.fired() + 1;
    boolean flapping = pending.flapping() || fired >= FLAPPING_FIRINGS;
    return new Alert(
        pending.key(),
        pending.rule(),
        pending.kind(),
        pending.severity(),
        AlertState.FIRING,
        pending.labels(),
        pending.summary(),
        pending.pendingSince(),
        now,
        null,
        null,
        fired,
        flapping,
        pending.notified(),
        epoch,
        now);
  }

  /** Its rule is gone: a firing alert ends now, saying why. Null means: remove the alert. */
  private static Alert ruleRemoved(
      Alert alert, Set<String> sinks, Duration flapWindow, long epoch, Instant now) {
    if (alert.state() != AlertState.FIRING) {
      return absent(alert, Duration.ZERO, sinks, flapWindow, epoch, now);
    }
    return resolved(alert, now, epoch, now, Resolution.RULE_REMOVED);
  }

  /** The condition is gone. Null means: remove the alert. */
  private static Alert absent(
      Alert alert,
      Duration keepFiringFor,
      Set<String> sinks,
      Duration flapWindow,
      long epoch,
      Instant now) {
    switch (alert.state()) {
      case PENDING -> {
        if (alert.resolvedAt() == null) {
          return null; // never fired: dropped without a word
        }
        // it had resolved and came back only briefly: resolved it stays
        return resolved(alert, alert.resolvedAt(), epoch, now, Resolution.RECOVERED);
      }
      case FIRING -> {
        Instant clearing = alert.clearingSince() != null ? alert.clearingSince() : now;
        if (Duration.between(clearing, now).compareTo(keepFiringFor) >= 0) {
          return resolved(alert, now, epoch, now, Resolution.RECOVERED);
        }
        boolean flapping = steady(alert, flapWindow, now);
        return with(
            alert,
            AlertState.FIRING,
            null,
            alert.pendingSince(),
            alert.firedAt(),
            alert.resolvedAt(),
            clearing,
            calmed(alert, flapping),
            flapping,
            epoch,
            now);
      }
      default -> {
        Duration since = Duration.between(alert.resolvedAt(), now);
        boolean told = sinks.stream().allMatch(s -> alert.notified().get(s) == AlertState.RESOLVED);
        if (since.compareTo(flapWindow) >= 0
            && (told || since.compareTo(flapWindow.multipliedBy(2)) >= 0)) {
          return null;
        }
        boolean flapping = steady(alert, flapWindow, now);
        return with(
            alert,
            AlertState.RESOLVED,
            null,
            alert.pendingSince(),
            alert.firedAt(),
            alert.resolvedAt(),
            null,
            calmed(alert, flapping),
            flapping,
            epoch,
            now);
      }
    }
  }

  /** Whether a flapping alert is still flapping: it is until it kept its state for the window. */
  private static boolean steady(Alert alert, Duration flapWindow, Instant now) {
    if (!alert.flapping()) {
      return false;
    }
    Instant last = alert.state() == AlertState.RESOLVED ? alert.resolvedAt() : alert.firedAt();
    return last == null || Duration.between(last, now).compareTo(flapWindow) < 0;
  }

  /** The firing count: back to 1 once a flapping alert has calmed down. */
  private static int calmed(Alert alert, boolean stillFlapping) {
    return alert.flapping() && !stillFlapping ? 1 : alert.fired();
  }

  /** The alert RESOLVED at {@code resolvedAt}, ended as {@code resolution}. */
  private static Alert resolved(
      Alert alert, Instant resolvedAt, long epoch, Instant now, Resolution resolution) {
    return with(
        alert,
        AlertState.RESOLVED,
        null,
        alert.pendingSince(),
        alert.firedAt(),
        resolvedAt,
        null,
        alert.fired(),
        alert.flapping(),
        epoch,
        now,
        resolution);
  }

  /** The alert in {@code state}; a RESOLVED one keeps how it ended. */
  private static Alert with(
      Alert a,
      AlertState state,
      Condition c,
      Instant pendingSince,
      Instant firedAt,
      Instant resolvedAt,
      Instant clearingSince,
      int fired,
      boolean flapping,
      long epoch,
      Instant now) {
    return with(
        a,
        state,
        c,
        pendingSince,
        firedAt,
        resolvedAt,
        clearingSince,
        fired,
        flapping,
        epoch,
        now,
        state == AlertState.RESOLVED ? a.resolution() : null);
  }

  private static Alert with(
      Alert a,
      AlertState state,
      Condition c,
      Instant pendingSince,
      Instant firedAt,
      Instant resolvedAt,
      Instant clearingSince,
      int fired,
      boolean flapping,
      long epoch,
      Instant now,
      Resolution resolution) {
    return new Alert(
        a.key(),
        a.rule(),
        a.kind(),
        a.severity(),
        state,
        c != null ? c.labels() : a.labels(),
        c != null ? c.summary() : a.summary(),
        pendingSince,
        firedAt,
        resolvedAt,
        clearingSince,
        fired,
        flapping,
        a.notified(),
        epoch,
        now,
        resolution);
  }

  /**
   * Whether two versions of an alert store the same: the summary (whose figures change every
   * evaluation), the writer's epoch and the time written are not worth a write on their own.
   */
  static boolean sameStored(Alert a, Alert b) {
    return a.state() == b.state()
        && a.severity() == b.severity()
        && a.labels().equals(b.labels())
        && java.util.Objects.equals(a.pendingSince(), b.pendingSince())
        && java.util.Objects.equals(a.firedAt(), b.firedAt())
        && java.util.Objects.equals(a.resolvedAt(), b.resolvedAt())
        && java.util.Objects.equals(a.clearingSince(), b.clearingSince())
        && a.fired() == b.fired()
        && a.flapping() == b.flapping()
        && a.resolution() == b.resolution()
        && a.notified().equals(b.notified());
  }

  /** The alert with {@code sink} told of {@code state}. */
  static Alert notified(Alert a, String sink, AlertState state, Instant now) {
    Map<String, AlertState> notified = new TreeMap<>(a.notified());
    notified.put(sink, state);
    return new Alert(
        a.key(),
        a.rule(),
        a.kind(),
        a.severity(),
        a.state(),
        a.labels(),
        a.summary(),
        a.pendingSince(),
        a.firedAt(),
        a.resolvedAt(),
        a.clearingSince(),
        a.fired(),
        a.flapping(),
        notified,
        a.epoch(),
        now,
        a.resolution());
  }

  /** Whether {@code sink} must be told of {@code a} now. */
  static boolean due(Alert a, String sink) {
    return (a.state() == AlertState.FIRING || a.state() == AlertState.RESOLVED)
        && !a.flapping()
        && a.notified().get(sink) != a.state()
        && !(a.state() == AlertState.RESOLVED && a.notified().get(sink) == null);
  }
}
