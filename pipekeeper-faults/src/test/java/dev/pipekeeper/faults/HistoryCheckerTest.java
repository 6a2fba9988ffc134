package dev.pipekeeper.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker against seeded random histories of correct runs (no violation may be reported) and of
 * the same runs with one fault of each kind put in (exactly that violation must be). The seed is
 * printed; {@code -Dfaults.seed=N} replays one.
 */
class HistoryCheckerTest {
  private static final int RUNS = 200;

  @Test
  void correctHistoriesPassAndEachInjectedViolationIsFound() {
    long base = Seeds.seed("faults.seed", "HistoryCheckerTest");
    for (int run = 0; run < RUNS; run++) {
      long seed = base + run;
      Random random = new Random(seed);
      List<HistoryEvent> correct = correctRun(random);
      HistoryChecker.Report report = HistoryChecker.check(new History(correct, List.of()));
      assertThat(report.violations()).as("seed %d, correct run", seed).isEmpty();

      String invariant = INJECTIONS[random.nextInt(INJECTIONS.length)];
      List<HistoryEvent> broken = inject(invariant, correct, random);
      HistoryChecker.Report found = HistoryChecker.check(new History(broken, List.of()));
      assertThat(found.violations())
          .as("seed %d, %s injected", seed, invariant)
          .isNotEmpty()
          .allSatisfy(v -> assertThat(v.invariant()).isEqualTo(invariant));
    }
  }

  @Test
  void anExactlyOnceOutputWithADuplicateAMissingAndAStrangerRecord() {
    HistoryChecker.Report report =
        HistoryChecker.checkOutput(List.of("a", "b", "c"), List.of("a", "a", "c", "x"));
    assertThat(report.violations())
        .extracting(HistoryChecker.Violation::toString)
        .containsExactly(
            "duplicate: a came 2 times",
            "missing: b never came",
            "unexpected: x came and was not expected");
    assertThat(HistoryChecker.checkOutput(List.of("a", "b"), List.of("b", "a")).passed()).isTrue();
  }

  private static final String[] INJECTIONS = {
    HistoryChecker.DOUBLE_LEADER,
    HistoryChecker.EPOCH_REGRESSED,
    HistoryChecker.STALE_PUBLICATION,
    HistoryChecker.TOKEN_REUSED,
    HistoryChecker.STALE_WRITE,
    HistoryChecker.CONFIG_WENT_BACK
  };

  /**
   * A run as a correct system makes it: terms of role "r" with rising epochs, each leader
   * publishing the next generations of group "g"; holds of lock "l" with rising tokens, each holder
   * writing store "s" (refused when a newer token was there first); config versions applied, never
   * going back.
   */
  private static List<HistoryEvent> correctRun(Random random) {
    Events events = new Events();
    int processes = 2 + random.nextInt(4);
    long epoch = 0;
    long generation = 0;
    long token = 1000;
    long version = 0;
    long storeToken = 0;
    long configVersion = 0;
    for (int step = 0; step < 5 + random.nextInt(30); step++) {
      String p = "p" + random.nextInt(processes);
      if (random.nextInt(4) == 0) {
        // a config version applied; one process may apply one twice (a restarted process)
        configVersion += random.nextInt(3);
        events.add(p, Kind.CONFIG_APPLIED, "pipeline/g", configVersion, 0);
      }
      if (random.nextBoolean()) {
        epoch += 1 + random.nextInt(2); // a failed takeover attempt may use an epoch up
        events.add(p, Kind.GRANTED, "r", epoch, 0);
        for (int i = random.nextInt(3); i > 0; i--) {
          events.add(p, Kind.PUBLISHED, "g", epoch, ++generation);
        }
        events.add(p, Kind.REVOKED, "r", epoch, 0);
      } else {
        token += 1 + random.nextInt(5);
        events.add(p, Kind.LOCKED, "l", token, 0);
        for (int i = random.nextInt(3); i > 0; i--) {
          events.add(p, Kind.STORE_WRITE, "s", token, ++version);
          storeToken = token;
        }
        if (random.nextInt(4) == 0 && storeToken > 0) {
          // a holder that lost the lock, refused by the store
          events.add(
              "p" + random.nextInt(processes), Kind.STORE_REFUSED, "s", token - 1, storeToken);
        }
        events.add(p, Kind.UNLOCKED, "l", token, 0);
      }
    }
    return events.list;
  }

  private static List<HistoryEvent> inject(
      String invariant, List<HistoryEvent> run, Random random) {
    Events events = new Events();
    events.list.addAll(run);
    events.seqs.putAll(lastSeqs(run));
    long maxEpoch =
        run.stream()
            .filter(e -> e.kind() == Kind.GRANTED)
            .mapToLong(HistoryEvent::token)
            .max()
            .orElse(0);
    long maxGeneration =
        run.stream()
            .filter(e -> e.kind() == Kind.PUBLISHED)
            .mapToLong(HistoryEvent::order)
            .max()
            .orElse(0);
    long maxToken =
        run.stream()
            .filter(e -> e.kind() == Kind.LOCKED)
            .mapToLong(HistoryEvent::token)
            .max()
            .orElse(1000);
    long maxVersion =
        run.stream()
            .filter(e -> e.kind() == Kind.STORE_WRITE)
            .mapToLong(HistoryEvent::order)
            .max()
            .orElse(0);
    switch (invariant) {
      case HistoryChecker.DOUBLE_LEADER -> {
        // two fresh processes granted one new epoch
        events.add("x1", Kind.GRANTED, "r", maxEpoch + 1, 0);
        events.add("x2", Kind.GRANTED, "r", maxEpoch + 1, 0);
      }
      case HistoryChecker.EPOCH_REGRESSED -> {
        events.add("x1", Kind.GRANTED, "r2", 7, 0);
        events.add("x1", Kind.GRANTED, "r2", 7 - random.nextInt(3), 0);
      }
      case HistoryChecker.STALE_PUBLICATION -> {
        if (random.nextBoolean()) {
          events.add("x1", Kind.PUBLISHED, "g2", 5, 1);
          events.add("x2", Kind.PUBLISHED, "g2", 6, 1); // the same generation twice
        } else {
          events.add("x1", Kind.PUBLISHED, "g", maxEpoch + 2, maxGeneration + 1);
          events.add("x2", Kind.PUBLISHED, "g", maxEpoch + 1, maxGeneration + 2);
        }
      }
      case HistoryChecker.TOKEN_REUSED -> {
        events.add("x1", Kind.LOCKED, "l", maxToken + 1, 0);
        events.add("x2", Kind.LOCKED, "l", maxToken + 1, 0);
      }
      case HistoryChecker.STALE_WRITE -> {
        events.add("x1", Kind.STORE_WRITE, "s", maxToken + 10, maxVersion + 1);
        events.add("x2", Kind.STORE_WRITE, "s", maxToken + 9, maxVersion + 2);
      }
      case HistoryChecker.CONFIG_WENT_BACK -> {
        events.add("x1", Kind.CONFIG_APPLIED, "pipeline/g2", 5, 0);
        events.add("x1", Kind.CONFIG_APPLIED, "pipeline/g2", 5 - 1 - random.nextInt(3), 0);
      }
      default -> throw new IllegalArgumentException(invariant);
    }
    return events.list;
  }

  private static Map<String, Long> lastSeqs(List<HistoryEvent> run) {
    Map<String, Long> seqs = new HashMap<>();
    run.forEach(e -> seqs.merge(e.process(), e.seq(), Math::max));
    return seqs;
  }

  private static final class Events {
    final List<HistoryEvent> list = new ArrayList<>();
    final Map<String, Long> seqs = new HashMap<>();

    void add(String process, Kind kind, String resource, long token, long order) {
      long seq = seqs.merge(process, 1L, Long::sum);
      list.add(new HistoryEvent(process, seq, 0, kind, resource, token, order));
    }
  }
}
