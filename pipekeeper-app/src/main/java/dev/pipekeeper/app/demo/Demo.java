package dev.pipekeeper.app.demo;

import static dev.pipekeeper.app.demo.Figures.byOwner;
import static dev.pipekeeper.app.demo.Figures.millis;
import static dev.pipekeeper.app.demo.Figures.number;
import static dev.pipekeeper.app.demo.Figures.seconds;
import static dev.pipekeeper.app.demo.Figures.unitsByOwner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.pipekeeper.console.Console;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.assignment.AssignmentStatus;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.examples.EnrichmentExample;
import dev.pipekeeper.examples.Example;
import dev.pipekeeper.examples.Examples;
import dev.pipekeeper.examples.IngesterExample;
import dev.pipekeeper.examples.SchedulerExample;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The demo: real ZooKeeper and Kafka on this machine, three instances of each example pipeline as
 * child processes, and the monitor, through a story whose every step is checked (what the output
 * topics hold, what ZooKeeper says), told in progress lines and summed up in a table.
 *
 * <p>Steps: records flowing; a live configuration change; the SINGLETON leader killed; a SHARDED
 * member drained; an alert firing and resolving. A step that cannot be verified within its bound
 * fails, and the story stops there.
 */
public final class Demo {
  /** Says whether the user asked to stop, waiting at most {@code millis} for it. */
  @FunctionalInterface
  public interface Stop {
    boolean await(long millis) throws InterruptedException;
  }

  /** The user stopped the demo (Ctrl-C) while a step was running. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("stopped");
    }
  }

  /** A step could not be verified; its message says what was not as it should be. */
  static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message);
    }
  }

  /** One line of the summary. */
  public record Step(String name, boolean verified, String figures) {}

  static final String CLUSTER = "demo";
  static final Duration SESSION = Duration.ofSeconds(3);
  static final ObjectMapper JSON = new ObjectMapper();
  private final PrintWriter out;
  private final int instances;
  private final Duration bound;
  private final Stop stop;
  private final List<Step> steps = new ArrayList<>();
  private final List<Alert> alerts = new CopyOnWriteArrayList<>();
  private final long started = System.nanoTime();
  private final Stage stage;

  /**
   * @param out where the story goes
   * @param instances instances per example (three in the story)
   * @param bound how long one step may take to be verified
   * @param stop whether the user asked to stop
   * @param secure on secured servers: the instances and the monitor as {@code writer} ({@link
   *     Stage})
   * @param consolePort where the console that shows the story serves; 0 picks a free port
   */
  public Demo(
      PrintWriter out, int instances, Duration bound, Stop stop, boolean secure, int consolePort) {
    this.out = out;
    this.instances = instances;
    this.bound = bound;
    this.stop = stop;
    this.stage = new Stage(out, this::say, secure, consolePort);
  }

  /**
   * Tells the story.
   *
   * @return the name of the step that failed, or empty if every step was verified
   * @throws InterruptedException if the user stopped it
   */
  public Optional<String> tell() throws InterruptedException {
    String current = "start";
    try {
      current = "start the servers and the fleet";
      start();
      current = "records flowing";
      recordsFlowing();
      current = "live config change";
      liveConfig();
      current = "SINGLETON leader killed";
      singletonFailover();
      current = "SHARDED member drained";
      drain();
      current = "alert fires and resolves";
      alert();
      return Optional.empty();
    } catch (Stopped stopped) {
      throw new InterruptedException("stopped by the user");
    } catch (StepFailed | PipekeeperException e) {
      steps.add(new Step(current, false, e.getMessage()));
      say("step '%s' FAILED: %s", current, e.getMessage());
      return Optional.of(current);
    }
  }

  /** The steps told so far, with what each verified. */
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  /** The running ZooKeeper, once the story has started it. */
  public EmbeddedZooKeeper zookeeper() {
    return stage.zookeeperServer();
  }

  /** The running Kafka, once the story has started it. */
  public EmbeddedKafka kafka() {
    return stage.kafkaServer();
  }

  /** The cluster the demo's pipelines coordinate in. */
  public String cluster() {
    return CLUSTER;
  }

  /** The console's URL, once the story has started it. */
  public Optional<URI> consoleUrl() {
    return Optional.ofNullable(stage.console()).map(Console::url);
  }

  /** One progress line: rates per pipeline and the alerts. */
  public String progress() {
    return stage.progress();
  }

  private void say(String format, Object... args) {
    long s = (System.nanoTime() - started) / 1_000_000_000L;
    out.printf(
        Locale.ROOT, "[%02d:%02d] %s%n", s / 60, s % 60, String.format(Locale.ROOT, format, args));
    out.flush();
  }

  // ---- setup ------------------------------------------------------------------------------

  private void start() throws InterruptedException {
    List<String> ids = stage.start(new StorySink(alerts, this::say), instances);
    say(
        "starting %d pipeline instances, each its own JVM: %s",
        ids.size(),
        Examples.all().stream()
            .map(e -> e.name() + " x" + instances + " (" + e.mode() + ")")
            .reduce((a, b) -> a + ", " + b)
            .orElse(""));
    for (String id : ids) {
      if (!stage.fleet().awaitRunning(id, bound)) {
        throw new StepFailed(id + " did not start within " + seconds(bound.toNanos()));
      }
    }
    await("the monitor to be elected", stage.monitor()::isLeading);
    long t1 = stage.fleetStartedAt();
    say(
        "%d instances running (%s); the monitor evaluates the rules every 500 ms",
        ids.size(), seconds(System.nanoTime() - t1));
    steps.add(
        new Step(
            "start the servers and the fleet",
            true,
            ids.size() + " instances in " + seconds(System.nanoTime() - t1)));
  }

  // ---- the story --------------------------------------------------------------------------

  private void recordsFlowing() throws InterruptedException {
    say("step 1: records flowing through all three pipelines");
    for (Example e : Examples.all()) {
      await(
          e.name() + "'s " + instances + " health records",
          () -> stage.pk().health().reports(e.name()).size() == instances);
    }
    int enrichedBefore = stage.enriched().count();
    int runsBefore = stage.runs().count();
    int eventsBefore = stage.events().count();
    await(
        "output on every pipeline's topic",
        () ->
            stage.enriched().count() > enrichedBefore + 20
                && stage.runs().count() > runsBefore + 2
                && stage.events().count() > eventsBefore + 20);
    // rates come from the health records, once members have published a full interval
    for (Example e : Examples.all()) {
      await(
          e.name() + "'s rate in its health records",
          () ->
              stage.pk().health().reports(e.name()).stream()
                      .mapToDouble(HealthReport::recordsInPerSecond)
                      .sum()
                  > 0);
    }
    Map<String, Double> rates = new LinkedHashMap<>();
    for (Example e : Examples.all()) {
      rates.put(
          e.name(),
          stage.pk().health().reports(e.name()).stream()
              .mapToDouble(HealthReport::recordsInPerSecond)
              .sum());
    }
    RoleInfo leader = role(SchedulerExample.NAME + ".singleton");
    say(
        "  enrichment (PARALLEL): %.1f orders/s over %d instances, each on its share of 6 partitions",
        rates.get(EnrichmentExample.NAME), instances);
    say(
        "  scheduler (SINGLETON): %.1f ticks/s, only on its leader %s (epoch %d)",
        rates.get(SchedulerExample.NAME), leader.leader().orElse("?"), leader.epoch());
    say(
        "  ingester (SHARDED): %.1f events/s; tenants: %s",
        rates.get(IngesterExample.NAME),
        byOwner(stage.pk().assignments(IngesterExample.NAME).status()));
    steps.add(
        new Step(
            "records flowing",
            true,
            String.format(
                Locale.ROOT,
                "%.0f + %.0f + %.0f records/s in",
                rates.get(EnrichmentExample.NAME),
                rates.get(SchedulerExample.NAME),
                rates.get(IngesterExample.NAME))));
  }

  private void liveConfig() throws InterruptedException {
    say("step 2: a live configuration change, with no restart");
    Scope scope = Scope.pipeline(EnrichmentExample.NAME);
    double before =
        stage
            .pk()
            .config()
            .get(scope, EnrichmentExample.THRESHOLD)
            .map(e -> e.value().asDouble())
            .orElse(EnrichmentExample.DEFAULT_THRESHOLD);
    double after = before / 2;
    Instant written = Instant.now();
    long t0 = System.nanoTime();
    ConfigCommit commit =
        stage
            .pk()
            .config()
            .set(
                scope,
                EnrichmentExample.THRESHOLD,
                DoubleNode.valueOf(after),
                ChangeOptions.by("demo").comment("halve the threshold"));
    List<String> members = stage.fleet().of(EnrichmentExample.NAME);
    long[] applied = {0};
    await(
        "all " + members.size() + " enrichment instances to apply version " + commit.scopeVersion(),
        () -> {
          Map<String, AppliedConfig> all = stage.pk().config().applied();
          boolean done =
              members.stream()
                  .allMatch(
                      m ->
                          all.containsKey(m)
                              && all.get(m).versions().getOrDefault(scope.path(), 0)
                                  >= commit.scopeVersion());
          if (done) {
            applied[0] = System.nanoTime() - t0;
          }
          return done;
        });
    await(
        "an order judged by the new threshold",
        () ->
            stage.enriched().seen().stream()
                .filter(s -> !s.at().isBefore(written))
                .anyMatch(s -> json(s.record().value()).path("threshold").asDouble() == after));
    say(
        "  enrichment.threshold %s -> %s (scope version %d): applied by %d/%d instances %s after"
            + " the write; the next orders are judged by %s",
        number(before),
        number(after),
        commit.scopeVersion(),
        members.size(),
        members.size(),
        millis(applied[0]),
        number(after));
    steps.add(
        new Step(
            "live config change", true, "write -> last instance applied: " + millis(applied[0])));
  }

  private void singletonFailover() throws InterruptedException {
    say("step 3: the SINGLETON leader is killed (kill -9)");
    String role = SchedulerExample.NAME + ".singleton";
    RoleInfo before = role(role);
    String victim =
        before.leader().orElseThrow(() -> new StepFailed("the scheduler has no leader"));
    long oldEpoch = before.epoch();
    int seenBefore = stage.runs().count();
    Instant killedAt = Instant.now();
    long t0 = System.nanoTime();
    stage.fleet().kill(victim);
    long[] elected = {0};
    await(
        "a new scheduler leader",
        () -> {
          RoleInfo now = role(role);
          boolean done =
              now.epoch() > oldEpoch
                  && now.leader().isPresent()
                  && !now.leader().get().equals(victim);
          if (done && elected[0] == 0) {
            elected[0] = System.nanoTime() - t0;
          }
          return done;
        });
    await(
        "the new leader's first output",
        () ->
            stage.runs().seen().stream()
                .skip(seenBefore)
                .anyMatch(s -> json(s.record().value()).path("epoch").asLong() > oldEpoch));
    TopicTail.Seen first =
        stage.runs().seen().stream()
            .skip(seenBefore)
            .filter(s -> json(s.record().value()).path("epoch").asLong() > oldEpoch)
            .findFirst()
            .orElseThrow();
    Duration takeover = Duration.between(killedAt, first.at());
    RoleInfo after = role(role);
    // evidence: nothing of the old epoch after the new one's first record, every due job once
    List<TopicTail.Seen> all = stage.runs().seen();
    int firstNew = all.indexOf(first);
    long stale =
        all.subList(firstNew, all.size()).stream()
            .filter(s -> json(s.record().value()).path("epoch").asLong() <= oldEpoch)
            .count();
    Set<String> keys = new HashSet<>();
    long duplicates = 0;
    for (TopicTail.Seen s : all) {
      JsonNode run = json(s.record().value());
      if (!keys.add(run.path("job").asText() + "@" + run.path("tick").asLong())) {
        duplicates++;
      }
    }
    if (stale > 0 || duplicates > 0) {
      throw new StepFailed(
          stale
              + " records of epoch "
              + oldEpoch
              + " after the new term's first, "
              + duplicates
              + " duplicate runs");
    }
    say(
        "  %s (epoch %d) killed; %s leads with epoch %d after %s (its session: %d s); first output"
            + " of the new term %s after the kill",
        victim,
        oldEpoch,
        after.leader().orElse("?"),
        after.epoch(),
        millis(elected[0]),
        SESSION.toSeconds(),
        millis(takeover.toNanos()));
    say(
        "  fencing: 0 records of epoch %d after epoch %d's first; every due job ran exactly once"
            + " (%d runs, no duplicate)",
        oldEpoch, after.epoch(), all.size());
    stage.fleet().start(SchedulerExample.NAME, victim);
    if (!stage.fleet().awaitRunning(victim, bound)) {
      throw new StepFailed(victim + " did not start again");
    }
    say("  %s restarted; it stands by behind the new leader", victim);
    steps.add(
        new Step(
            "SINGLETON leader killed",
            true,
            "new leader in "
                + millis(elected[0])
                + ", first output in "
                + millis(takeover.toNanos())
                + "; 0 stale, 0 duplicate"));
  }

  private void drain() throws InterruptedException {
    say("step 4: a SHARDED member is drained for maintenance");
    String group = IngesterExample.NAME;
    AssignmentStatus before = stage.pk().assignments(group).status();
    Map<String, List<String>> byOwner = unitsByOwner(before);
    String victim =
        byOwner.entrySet().stream()
            .max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
            .map(Map.Entry::getKey)
            .orElseThrow(() -> new StepFailed("no ingester member owns a tenant"));
    List<String> moving = byOwner.get(victim);
    int units = before.owners().size();
    long t0 = System.nanoTime();
    stage.pk().assignments(group).drain(victim);
    long[] moved = {0};
    await(
        victim + "'s tenants to move",
        () -> {
          Map<String, String> owners = stage.pk().assignments(group).status().owners();
          boolean done = owners.size() == units && !owners.containsValue(victim);
          if (done) {
            moved[0] = System.nanoTime() - t0;
          }
          return done;
        });
    Map<String, String> now = stage.pk().assignments(group).status().owners();
    // give the moved tenants time to produce under their new owners, then check every event once
    int seen = stage.events().count();
    await("events from the moved tenants", () -> stage.events().count() > seen + 30);
    String check = exactlyOnce();
    say(
        "  drained %s: %s moved to %s in %s",
        victim,
        String.join(", ", moving),
        moving.stream()
            .map(now::get)
            .distinct()
            .sorted()
            .reduce((a, b) -> a + ", " + b)
            .orElse("?"),
        millis(moved[0]));
    say("  no tenant ran on two members at once: %s", check);
    stage.pk().assignments(group).undrain(victim);
    say("  %s undrained: it gets its share again", victim);
    steps.add(
        new Step(
            "SHARDED member drained",
            true,
            moving.size() + " tenants moved in " + millis(moved[0]) + "; " + check));
  }

  /** Every tenant's events once and without a gap, or the step fails. */
  private String exactlyOnce() {
    Map<String, TreeSet<Long>> seqs = new TreeMap<>();
    long total = 0;
    for (TopicTail.Seen s : stage.events().seen()) {
      JsonNode event = json(s.record().value());
      total++;
      if (!seqs.computeIfAbsent(event.path("tenant").asText(), t -> new TreeSet<>())
          .add(event.path("seq").asLong())) {
        throw new StepFailed(
            "event "
                + event.path("seq").asLong()
                + " of "
                + event.path("tenant").asText()
                + " arrived twice");
      }
    }
    for (Map.Entry<String, TreeSet<Long>> t : seqs.entrySet()) {
      long span = t.getValue().last() - t.getValue().first() + 1;
      if (span != t.getValue().size()) {
        throw new StepFailed(
            t.getKey()
                + " has a gap: "
                + t.getValue().size()
                + " events over "
                + span
                + " numbers");
      }
    }
    return "every event once, no gap (" + total + " events of " + seqs.size() + " tenants)";
  }

  private void alert() throws InterruptedException {
    say("step 5: a member dies; the monitor raises an alert, and clears it when it is back");
    List<String> members = stage.fleet().of(EnrichmentExample.NAME);
    String victim = members.get(members.size() - 1);
    String key = "member-down/" + EnrichmentExample.NAME + "/" + victim;
    Instant killedAt = Instant.now();
    stage.fleet().kill(victim);
    say("  %s killed (kill -9)", victim);
    Alert fired = awaitAlert(key, AlertState.FIRING);
    Duration detection = Duration.between(killedAt, fired.firedAt());
    say(
        "  fired %s after the kill (session %d s + for 1 s + evaluation every 500 ms)",
        millis(detection.toNanos()), SESSION.toSeconds());
    Instant restartedAt = Instant.now();
    stage.fleet().start(EnrichmentExample.NAME, victim);
    if (!stage.fleet().awaitRunning(victim, bound)) {
      throw new StepFailed(victim + " did not start again");
    }
    Alert resolved = awaitAlert(key, AlertState.RESOLVED);
    Duration recovery = Duration.between(restartedAt, resolved.resolvedAt());
    long delivered = alerts.stream().filter(a -> a.key().equals(key)).count();
    if (delivered != 2) {
      throw new StepFailed(key + " was delivered " + delivered + " times, not twice");
    }
    say(
        "  %s restarted; the alert resolved %s after the restart",
        victim, millis(recovery.toNanos()));
    steps.add(
        new Step(
            "alert fires and resolves",
            true,
            "kill -> FIRING "
                + millis(detection.toNanos())
                + ", restart -> RESOLVED "
                + millis(recovery.toNanos())
                + ", each delivered once"));
  }

  // ---- helpers ----------------------------------------------------------------------------

  private Alert awaitAlert(String key, AlertState state) throws InterruptedException {
    await(
        "alert " + key + " " + state,
        () -> alerts.stream().anyMatch(a -> a.key().equals(key) && a.state() == state));
    return alerts.stream()
        .filter(a -> a.key().equals(key) && a.state() == state)
        .findFirst()
        .orElseThrow();
  }

  /** Polls {@code condition} every 100 ms for at most the step bound. */
  private void await(String what, Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      boolean met;
      try {
        met = condition.get();
      } catch (PipekeeperException notNow) {
        met = false; // e.g. a member's node went between a listing and a read
      }
      if (met) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new StepFailed("waited " + seconds(bound.toNanos()) + " for " + what);
      }
      if (stop.await(100)) {
        throw new Stopped();
      }
    }
  }

  private RoleInfo role(String role) {
    return stage.pk().inspector().roles().stream()
        .filter(r -> r.role().equals(role))
        .findFirst()
        .orElseThrow(() -> new StepFailed("role " + role + " has never had a leader"));
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new StepFailed("not JSON: " + text);
    }
  }

  /** Stops everything, the instances first (gracefully), and deletes the data. */
  public void close() {
    stage.close();
  }
}
