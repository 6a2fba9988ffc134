package dev.pipekeeper.faults;

import dev.pipekeeper.faults.Fleet.Fault;
import dev.pipekeeper.faults.HistoryChecker.Report;
import dev.pipekeeper.faults.HistoryChecker.Violation;
import dev.pipekeeper.kafka.Mode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pipeline scenario's check of how its output went on through the faults, from the output
 * records' timestamps (the time each was produced) and the faults' windows, on one wall clock (one
 * machine). Where {@link HistoryChecker#checkOutput} says whether every record came once, this says
 * whether it came when it should:
 *
 * <ul>
 *   <li>{@value #ONE_DOWN_PAUSE}: with one of three ZooKeeper servers down (any one, the leader
 *       too), a PARALLEL pipeline's output stopped for longer than {@link Bounds#pause()};
 *   <li>{@value #QUORUMLESS_STOPPED}: with two down (no quorum), a PARALLEL pipeline's output
 *       stopped for longer than {@link Bounds#pause()}: it must keep processing;
 *   <li>{@value #QUORUMLESS_OLD_CONFIG}: and it must do so on its last configuration: the mark an
 *       output carries is the one every member had applied before the quorum went;
 *   <li>{@value #QUORUMLESS_WORKED}: with two down, a SINGLETON or SHARDED pipeline produced output
 *       later than {@link Bounds#stopWithin()} after the quorum went and before it was being
 *       restored: its work must pause;
 *   <li>{@value #NOT_RESUMED}: no output within {@link Bounds#resume()} of a fault's end while
 *       input was still coming (nothing is restarted for a ZooKeeper or broker fault: the processes
 *       must resume on their own). The time is counted outside the later faults' windows: a fault
 *       that begins before the output came again may stop it anew (a broker restart stops every
 *       unit until the broker answers again, a quorum loss must pause SINGLETON and SHARDED work),
 *       and its own window is judged on its own. The wall-clock figure, later faults included, is
 *       reported beside it;
 *   <li>{@value #CONFIG_WENT_BACK}: an instance's output (for SHARDED, of one unit) carried an
 *       older configuration mark than one of an earlier millisecond (two outputs of one millisecond
 *       have no order that can be read back).
 * </ul>
 */
final class OutageChecker {
  static final String ONE_DOWN_PAUSE = "paused-with-one-server-down";
  static final String QUORUMLESS_STOPPED = "stopped-without-quorum";
  static final String QUORUMLESS_OLD_CONFIG = "not-on-last-config-without-quorum";
  static final String QUORUMLESS_WORKED = "worked-without-quorum";
  static final String NOT_RESUMED = "not-resumed";
  static final String CONFIG_WENT_BACK = HistoryChecker.CONFIG_WENT_BACK;

  /**
   * One output record.
   *
   * @param value the output value without writer and mark ({@code R-17})
   * @param writer the instance that wrote it
   * @param mark the configuration mark it was processed under
   * @param millis when it was produced (its record timestamp)
   */
  record Output(String value, String writer, int mark, long millis) {}

  /**
   * A fault as it was done, with the configuration mark every member had applied before it.
   *
   * @param fault its kind
   * @param injected what and when
   * @param mark the configuration mark in force
   */
  record Window(Fault fault, Fleet.Injected injected, int mark) {}

  /**
   * The stated bounds.
   *
   * @param pause the longest gap allowed in PARALLEL output with one server down, or two
   * @param stopWithin how soon SINGLETON and SHARDED work must pause once the quorum is gone
   * @param resume how soon output must come again after a fault's end
   */
  record Bounds(Duration pause, Duration stopWithin, Duration resume) {}

  private OutageChecker() {}

  /**
   * Checks {@code outputs} against {@code windows} (in the order they were done, one after
   * another); {@code inputEndMillis} is when the last input arrived (after it there is nothing to
   * process, so no gap is judged). The report's counts are the figures: the longest PARALLEL gap
   * with one and with two servers down, the slowest and median resumption (outside later faults'
   * windows) and the slowest on the clock ({@code resume-wall-max-ms}), in ms, and how many windows
   * of each kind were judged.
   */
  static Report check(
      Mode mode, List<Output> outputs, List<Window> windows, long inputEndMillis, Bounds bounds) {
    List<Output> sorted =
        outputs.stream().sorted(Comparator.comparingLong(Output::millis)).toList();
    List<Violation> violations = new ArrayList<>();
    Map<String, Long> figures = new TreeMap<>();
    List<Long> resumes = new ArrayList<>();
    for (int w = 0; w < windows.size(); w++) {
      Window window = windows.get(w);
      List<Window> later = windows.subList(w + 1, windows.size());
      Fleet.Injected at = window.injected();
      boolean oneDown =
          window.fault() == Fault.STOP_ZOOKEEPER_SERVER
              || window.fault() == Fault.STOP_ZOOKEEPER_LEADER;
      boolean quorumless = window.fault() == Fault.STOP_TWO_ZOOKEEPER_SERVERS;
      long judgedEnd = Math.min(at.endMillis(), inputEndMillis);
      if (mode == Mode.PARALLEL && (oneDown || quorumless) && judgedEnd > at.startMillis()) {
        long gap = longestGap(sorted, at.startMillis(), judgedEnd);
        String figure = oneDown ? "one-down-longest-gap-ms" : "two-down-longest-gap-ms";
        figures.merge(figure, gap, Math::max);
        figures.merge(oneDown ? "one-down-windows" : "two-down-windows", 1L, Long::sum);
        if (gap > bounds.pause().toMillis()) {
          violations.add(
              new Violation(
                  oneDown ? ONE_DOWN_PAUSE : QUORUMLESS_STOPPED,
                  "no output for " + gap + " ms during " + describe(window)));
        }
      }
      if (mode == Mode.PARALLEL && quorumless) {
        List<Output> stale =
            between(sorted, at.startMillis(), at.undoMillis()).stream()
                .filter(output -> output.mark() != window.mark())
                .toList();
        if (!stale.isEmpty()) {
          violations.add(
              new Violation(
                  QUORUMLESS_OLD_CONFIG,
                  stale.size()
                      + " outputs not under mark "
                      + window.mark()
                      + " during "
                      + describe(window)
                      + ", the first "
                      + stale.get(0)));
        }
      }
      if (mode != Mode.PARALLEL && quorumless) {
        figures.merge("two-down-windows", 1L, Long::sum);
        List<Output> worked =
            between(sorted, at.startMillis() + bounds.stopWithin().toMillis(), at.undoMillis());
        if (!worked.isEmpty()) {
          violations.add(
              new Violation(
                  QUORUMLESS_WORKED,
                  worked.size()
                      + " outputs produced during "
                      + describe(window)
                      + ", the first "
                      + (worked.get(0).millis() - at.startMillis())
                      + " ms in: "
                      + worked.get(0)));
        }
      }
      Map<String, Output> firstAfter = new TreeMap<>();
      for (Output output : sorted) {
        if (output.millis() > at.endMillis()) {
          firstAfter.putIfAbsent(stream(mode, output), output);
        }
      }
      firstAfter.forEach(
          (stream, next) -> {
            long wall = next.millis() - at.endMillis();
            long resume = wall - withinFaults(later, at.endMillis(), next.millis());
            resumes.add(resume);
            figures.merge("resume-max-ms-after-" + window.fault(), resume, Math::max);
            figures.merge("resume-wall-max-ms", wall, Math::max);
            if (resume > bounds.resume().toMillis()) {
              violations.add(
                  new Violation(
                      NOT_RESUMED,
                      stream
                          + ": no output for "
                          + resume
                          + " ms outside later faults after "
                          + describe(window)
                          + " ended ("
                          + wall
                          + " ms on the clock), then "
                          + next));
            }
          });
    }
    if (!resumes.isEmpty()) {
      List<Long> ordered = resumes.stream().sorted().toList();
      figures.put("resume-median-ms", ordered.get(ordered.size() / 2));
      figures.put("resume-max-ms", ordered.get(ordered.size() - 1));
    }
    // Per writer and stream (a SHARDED instance's units run on threads of their own, each reading
    // the live configuration when it processes a record). Only an output of an earlier
    // millisecond came before: a producer stamps its records in the order it sends them, but two
    // of one millisecond in different partitions are read back in no particular order, and a
    // change applied in the middle of a batch gives them different marks.
    Map<String, Output> newestEarlier = new HashMap<>();
    Map<String, Output> newestThisMilli = new HashMap<>();
    for (Output output : sorted) {
      String key = output.writer() + " " + stream(mode, output);
      Output same = newestThisMilli.get(key);
      if (same != null && same.millis() < output.millis()) {
        newestEarlier.merge(key, same, (a, b) -> a.mark() >= b.mark() ? a : b);
        newestThisMilli.remove(key);
      }
      Output before = newestEarlier.get(key);
      if (before != null && output.mark() < before.mark()) {
        violations.add(
            new Violation(
                CONFIG_WENT_BACK, output + " came after " + before + " of the same writer"));
      }
      newestThisMilli.merge(key, output, (a, b) -> a.mark() >= b.mark() ? a : b);
    }
    return new Report(violations, figures);
  }

  /**
   * How much of {@code [from, to]} lies inside the windows of {@code faults} (one after another).
   */
  private static long withinFaults(List<Window> faults, long from, long to) {
    long inside = 0;
    for (Window fault : faults) {
      long start = Math.max(from, fault.injected().startMillis());
      long end = Math.min(to, fault.injected().endMillis());
      inside += Math.max(0, end - start);
    }
    return inside;
  }

  /** The longest time in {@code [from, to]} with no output (the whole span if there is none). */
  private static long longestGap(List<Output> sorted, long from, long to) {
    long longest = 0;
    long last = from;
    for (Output output : between(sorted, from, to)) {
      longest = Math.max(longest, output.millis() - last);
      last = output.millis();
    }
    return Math.max(longest, to - last);
  }

  /**
   * The stream of output an output belongs to, judged on its own for resumption: a SHARDED unit's
   * ({@code T3-17} is unit {@code t3}'s), for the other modes the whole output.
   */
  private static String stream(Mode mode, Output output) {
    int dash = output.value().indexOf('-');
    return mode == Mode.SHARDED && dash > 0
        ? "unit " + output.value().substring(0, dash)
        : "output";
  }

  private static List<Output> between(List<Output> sorted, long from, long to) {
    return sorted.stream().filter(o -> o.millis() >= from && o.millis() <= to).toList();
  }

  private static String describe(Window window) {
    return "the fault '" + window.injected().what() + "'";
  }
}
