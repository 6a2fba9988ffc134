package dev.pipekeeper.faults;

import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a scenario's history after the run. Each invariant is stated in the order ZooKeeper gave
 * the events (epochs, generations, store versions, fencing tokens), never in the processes' wall
 * clocks, which a paused process's are not.
 *
 * <ul>
 *   <li>{@value #DOUBLE_LEADER}: one epoch of a role granted to two processes;
 *   <li>{@value #EPOCH_REGRESSED}: a process granted a role with an epoch not above its previous
 *       one;
 *   <li>{@value #STALE_PUBLICATION}: a generation of a group's assignment published twice, or under
 *       an older epoch than an earlier generation (a deposed leader overwrote its successor);
 *   <li>{@value #TOKEN_REUSED}: one fencing token of a lock handed to two processes;
 *   <li>{@value #STALE_WRITE}: a store accepted a write under a token older than one it had
 *       accepted before, or two writes made the same version;
 *   <li>{@value #CONFIG_WENT_BACK}: a process applied a version of a configuration scope older than
 *       one it had applied before;
 *   <li>{@value #DUPLICATE}, {@value #MISSING} and {@value #UNEXPECTED}: in an exactly-once output
 *       ({@link #checkOutput}).
 * </ul>
 */
public final class HistoryChecker {
  public static final String DOUBLE_LEADER = "double-leader";
  public static final String EPOCH_REGRESSED = "epoch-regressed";
  public static final String STALE_PUBLICATION = "stale-publication";
  public static final String TOKEN_REUSED = "token-reused";
  public static final String STALE_WRITE = "stale-write";
  public static final String DUPLICATE = "duplicate";
  public static final String MISSING = "missing";
  public static final String UNEXPECTED = "unexpected";
  public static final String CONFIG_WENT_BACK = "config-went-back";

  /** A broken invariant: which, and what shows it. */
  public record Violation(String invariant, String detail) {
    @Override
    public String toString() {
      return invariant + ": " + detail;
    }
  }

  /**
   * What the check found.
   *
   * @param violations every broken invariant, empty when the run is correct
   * @param counts how many events of each kind were judged, for the published figures
   */
  public record Report(List<Violation> violations, Map<String, Long> counts) {
    public Report {
      violations = List.copyOf(violations);
      counts = Map.copyOf(counts);
    }

    public boolean passed() {
      return violations.isEmpty();
    }

    /** Only the violations of {@code invariant}. */
    public List<Violation> of(String invariant) {
      return violations.stream().filter(v -> v.invariant().equals(invariant)).toList();
    }
  }

  private HistoryChecker() {}

  /** Checks the coordination invariants of {@code history}. */
  public static Report check(History history) {
    List<Violation> violations = new ArrayList<>();
    Map<String, Long> counts = new TreeMap<>();
    for (HistoryEvent e : history.events()) {
      counts.merge(e.kind().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
    }
    grants(history.events(), violations);
    publications(history.events(), violations);
    locks(history.events(), violations);
    stores(history.events(), violations);
    configs(history.events(), violations);
    return new Report(violations, counts);
  }

  private static void grants(List<HistoryEvent> events, List<Violation> violations) {
    risingPerProcess(
        events, Kind.GRANTED, true, EPOCH_REGRESSED, "was granted role", "with epoch", violations);
    oneHolderPerToken(events, Kind.GRANTED, DOUBLE_LEADER, "role", "epoch", violations);
  }

  private static void configs(List<HistoryEvent> events, List<Violation> violations) {
    risingPerProcess(
        events, Kind.CONFIG_APPLIED, false, CONFIG_WENT_BACK, "applied", "version", violations);
  }

  /**
   * Each process's {@code kind} events of one resource, in its own order, have rising tokens
   * ({@code strictly}, or never falling): e.g. "w1 was granted role r with epoch 3 after epoch 4".
   */
  private static void risingPerProcess(
      List<HistoryEvent> events,
      Kind kind,
      boolean strictly,
      String invariant,
      String verb,
      String tokenWords,
      List<Violation> violations) {
    String noun = tokenWords.substring(tokenWords.lastIndexOf(' ') + 1);
    Map<String, Long> lastOfProcess = new HashMap<>();
    for (HistoryEvent e : events) { // by process, then sequence
      if (e.kind() != kind) {
        continue;
      }
      Long before = lastOfProcess.put(e.process() + "\u0000" + e.resource(), e.token());
      if (before != null && (strictly ? e.token() <= before : e.token() < before)) {
        violations.add(
            new Violation(
                invariant,
                e.process()
                    + " "
                    + verb
                    + " "
                    + e.resource()
                    + " "
                    + tokenWords
                    + " "
                    + e.token()
                    + " after "
                    + noun
                    + " "
                    + before));
      }
    }
  }

  private static void locks(List<HistoryEvent> events, List<Violation> violations) {
    oneHolderPerToken(events, Kind.LOCKED, TOKEN_REUSED, "lock", "token", violations);
  }

  /** Each token of a resource ({@code kind} events) went to one process only. */
  private static void oneHolderPerToken(
      List<HistoryEvent> events,
      Kind kind,
      String invariant,
      String resourceNoun,
      String tokenNoun,
      List<Violation> violations) {
    byResource(events, kind)
        .forEach(
            (resource, granted) -> {
              Map<Long, TreeSet<String>> byToken = new TreeMap<>();
              for (HistoryEvent e : granted) {
                byToken.computeIfAbsent(e.token(), t -> new TreeSet<>()).add(e.process());
              }
              byToken.forEach(
                  (token, processes) -> {
                    if (processes.size() > 1) {
                      violations.add(
                          new Violation(
                              invariant,
                              resourceNoun
                                  + " "
                                  + resource
                                  + " "
                                  + tokenNoun
                                  + " "
                                  + token
                                  + " granted to "
                                  + processes));
                    }
                  });
            });
  }

  private static void publications(List<HistoryEvent> events, List<Violation> violations) {
    ordered(events, Kind.PUBLISHED, STALE_PUBLICATION, "group", "generation", "epoch", violations);
  }

  private static void stores(List<HistoryEvent> events, List<Violation> violations) {
    ordered(events, Kind.STORE_WRITE, STALE_WRITE, "store", "version", "token", violations);
  }

  /**
   * Each resource's {@code kind} events, in ZooKeeper's order ({@link HistoryEvent#order()}): no
   * place in that order taken twice, and no token older than one earlier in it.
   */
  private static void ordered(
      List<HistoryEvent> events,
      Kind kind,
      String invariant,
      String resourceNoun,
      String orderNoun,
      String tokenNoun,
      List<Violation> violations) {
    byResource(events, kind)
        .forEach(
            (resource, made) -> {
              made.sort(Comparator.comparingLong(HistoryEvent::order));
              String what = resourceNoun + " " + resource + " " + orderNoun + " ";
              HistoryEvent newest = null; // the greatest token so far
              HistoryEvent previous = null;
              for (HistoryEvent e : made) {
                if (previous != null && previous.order() == e.order()) {
                  violations.add(
                      new Violation(
                          invariant,
                          what
                              + e.order()
                              + " made twice, by "
                              + made(previous, tokenNoun)
                              + " and "
                              + made(e, tokenNoun)));
                } else if (newest != null && e.token() < newest.token()) {
                  violations.add(
                      new Violation(
                          invariant,
                          what
                              + e.order()
                              + " made by "
                              + made(e, tokenNoun)
                              + " after "
                              + orderNoun
                              + " "
                              + newest.order()
                              + " by "
                              + made(newest, tokenNoun)));
                }
                if (newest == null || e.token() > newest.token()) {
                  newest = e;
                }
                previous = e;
              }
            });
  }

  private static String made(HistoryEvent e, String tokenNoun) {
    return e.process() + " (" + tokenNoun + " " + e.token() + ")";
  }

  private static Map<String, List<HistoryEvent>> byResource(List<HistoryEvent> events, Kind kind) {
    Map<String, List<HistoryEvent>> by = new TreeMap<>();
    for (HistoryEvent e : events) {
      if (e.kind() == kind) {
        by.computeIfAbsent(e.resource(), r -> new ArrayList<>()).add(e);
      }
    }
    return by;
  }

  /**
   * Checks an exactly-once output: every expected record once, nothing else.
   *
   * @param expected the records the input should give, each once
   * @param observed the records read from the output (read_committed), in any order
   */
  public static Report checkOutput(Collection<String> expected, Collection<String> observed) {
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (String record : observed) {
      seen.merge(record, 1, Integer::sum);
    }
    List<Violation> violations = new ArrayList<>();
    seen.forEach(
        (record, times) -> {
          if (times > 1) {
            violations.add(new Violation(DUPLICATE, record + " came " + times + " times"));
          }
        });
    TreeSet<String> wanted = new TreeSet<>(expected);
    for (String record : wanted) {
      if (!seen.containsKey(record)) {
        violations.add(new Violation(MISSING, record + " never came"));
      }
    }
    for (String record : seen.keySet()) {
      if (!wanted.contains(record)) {
        violations.add(new Violation(UNEXPECTED, record + " came and was not expected"));
      }
    }
    return new Report(
        violations, Map.of("expected", (long) expected.size(), "observed", (long) observed.size()));
  }
}
