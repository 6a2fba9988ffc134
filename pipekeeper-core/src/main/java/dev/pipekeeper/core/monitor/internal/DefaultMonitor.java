package dev.pipekeeper.core.monitor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.Threads;
import dev.pipekeeper.core.internal.WatchedTree;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.LeaseListener;
import dev.pipekeeper.core.leader.internal.Fencing;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.internal.MemberCodec;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertSinks;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Evaluation;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.MonitorProbe;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleSet;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.core.monitor.Severity;
import dev.pipekeeper.core.monitor.SinkStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor: a contender for {@link Monitor#ROLE}; while it leads, one thread evaluates the rules
 * every interval. Each evaluation gathers its inputs (watched members, health and applied records;
 * roles, scope versions, the ensemble and the probes as the rules need them), lets the rules find
 * their conditions, steps every alert's lifecycle, writes what changed in one fenced multi-op, and
 * then offers every alert a sink has not been told of to that sink's delivery queue. A sink's
 * confirmation is written at the next evaluation, so what was delivered survives a failover.
 */
public final class DefaultMonitor implements Monitor {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultMonitor.class);

  private final Pipekeeper pk;
  private final Session session;
  private final MonitorSettings settings;
  private final Leadership leadership;
  private final ConfigView rulesView;
  private final ScheduledExecutorService thread;

  private final MonitorReads reader;
  private final Map<String, SinkDelivery> deliveries = new LinkedHashMap<>();
  private final Map<String, Map<String, AlertState>> delivered = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final List<MonitorProbe> probes;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Meter> meters = new ArrayList<>();
  private final Timer evaluationTimer;
  private final io.micrometer.core.instrument.MeterRegistry registry;
  private final AtomicLong evaluations = new AtomicLong();
  private volatile Runnable forget = () -> {};

  // Owned by the monitor thread:
  private volatile Term term;
  private List<Rule> rules = Rules.defaults();
  private JsonNode rulesSource;

  private volatile Map<String, Alert> published = Map.of();
  private volatile Evaluation last;

  /** One term of leadership and what the monitor keeps during it. */
  private static final class Term {
    final Lease lease;
    final Fencing fencing;
    final AlertStore store;
    final Rosters rosters;
    final RuleEvaluator evaluator = new RuleEvaluator();
    WatchedTree<MemberRecord> members;
    WatchedTree<HealthReport> health;
    WatchedTree<AppliedConfig> applied;
    Map<String, Alert> active = Map.of();
    ScheduledFuture<?> ticks;
    Instant firstTick;
    boolean reload;
    long watchReads;
    boolean failing;

    Term(Lease lease, AlertStore store, Rosters rosters) {
      this.lease = lease;
      this.fencing = Fencing.of(lease);
      this.store = store;
      this.rosters = rosters;
    }

    long watchReadsNow() {
      return members.reads() + health.reads() + applied.reads();
    }

    void close() {
      if (ticks != null) {
        ticks.cancel(false);
      }
      for (AutoCloseable c : new AutoCloseable[] {members, health, applied}) {
        if (c != null) {
          try {
            c.close();
          } catch (Exception e) {
            LOG.debug("closing a watch: {}", e.toString());
          }
        }
      }
    }
  }

  /** A sink confirmed delivering {@code state} of {@code key}. */
  private record Ack(String sink, String key, AlertState state) {}

  public DefaultMonitor(Pipekeeper pk, Session session, MonitorSettings settings) {
    this.pk = pk;
    this.session = session;
    this.settings = settings;
    this.probes = settings.probes();
    this.registry = settings.metrics() != null ? settings.metrics() : pk.metrics();
    io.micrometer.core.instrument.Tags tags =
        io.micrometer.core.instrument.Tags.of("cluster", pk.cluster(), "identity", pk.identity());
    List<AlertSink> sinks = new ArrayList<>();
    if (settings.logSink()) {
      sinks.add(AlertSinks.log());
    }
    sinks.addAll(settings.sinks());
    for (AlertSink sink : sinks) {
      delivered.put(sink.name(), new ConcurrentHashMap<>());
      deliveries.put(
          sink.name(),
          new SinkDelivery(
                  sink,
                  settings.deliveryQueue(),
                  settings.deliveryBackoff(),
                  settings.deliveryMaxBackoff(),
                  registry,
                  alert -> confirmed(sink.name(), alert),
                  settings.clock())
              .start());
    }
    this.reader = new MonitorReads(pk, session, settings);
    this.thread = Executors.newSingleThreadScheduledExecutor(Threads.named("pipekeeper-monitor"));
    this.evaluationTimer =
        Timer.builder("pipekeeper.monitor.evaluation")
            .description("time to evaluate the alerting rules once")
            .tags(tags)
            .register(registry);
    meters.add(evaluationTimer);
    meters.add(
        Gauge.builder("pipekeeper.monitor.leader", this, m -> m.isLeading() ? 1 : 0)
            .description("1 while this process is the cluster's elected monitor")
            .tags(tags)
            .register(registry));
    meters.add(
        FunctionCounter.builder("pipekeeper.monitor.evaluations", evaluations, AtomicLong::get)
            .tags(tags)
            .register(registry));
    meters.add(
        Gauge.builder(
                "pipekeeper.monitor.zookeeper.reads",
                this,
                m -> m.last == null ? 0 : m.last.zookeeperReads() + m.last.watchReads())
            .description("ZooKeeper reads of the last evaluation, its watches' included")
            .tags(tags)
            .register(registry));
    for (AlertState state : AlertState.values()) {
      for (Severity severity : Severity.values()) {
        meters.add(
            Gauge.builder("pipekeeper.alerts", this, m -> m.count(state, severity))
                .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                .tag("severity", severity.label())
                .description("alerts the monitor holds, by state and severity")
                .tags(tags)
                .register(registry));
      }
    }
    this.rulesView = pk.config().view(List.of(Scope.global()));
    installSchema();
    this.leadership = pk.leadership(Monitor.ROLE);
    leadership.addListener(
        new LeaseListener() {
          @Override
          public void granted(Lease lease) {
            run(() -> begin(lease));
          }

          @Override
          public void suspended(Lease lease) {
            run(() -> end(lease, "suspended"));
          }

          @Override
          public void revoked(Lease lease) {
            run(() -> end(lease, "revoked"));
          }
        });
  }

  public void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  public void start() {
    leadership.start();
  }

  private void run(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private double count(AlertState state, Severity severity) {
    return published.values().stream()
        .filter(a -> a.state() == state && a.severity() == severity)
        .count();
  }

  /**
   * Makes {@value Rules#KEY} checked by its schema, unless someone set one already. Monitors
   * started at the same moment all try: a conflict means another one's write landed, so look again
   * (a few times: each conflict is someone else's progress).
   */
  private void installSchema() {
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        if (pk.config().schema(Scope.global(), Rules.KEY).isPresent()) {
          return;
        }
        pk.config().setSchema(Scope.global(), Rules.KEY, Rules.schema());
        return;
      } catch (InvalidInputException e) {
        LOG.warn("the stored {} does not satisfy the rules' schema: {}", Rules.KEY, e.getMessage());
        return;
      } catch (ConfigConflictException raced) {
        // installed by another monitor meanwhile, or the rules changed: look again
      }
    }
    LOG.warn("could not install the schema of {}: it kept changing meanwhile", Rules.KEY);
  }

  private void begin(Lease lease) {
    if (closed.get() || !lease.isValid()) {
      return;
    }
    endTerm();
    AlertStore store = new AlertStore(session);
    Rosters rosters = new Rosters(settings.clock());
    Term t = new Term(lease, store, rosters);
    try {
      t.active = store.takeOver();
      rosters.load(store.rosters());
      t.members =
          new WatchedTree<>(session, ZkLayout.MEMBERS, 2, MemberCodec::decode, rosters::changed);
      t.health = new WatchedTree<>(session, ZkLayout.HEALTH, 2, MonitorReads::health, null);
      t.applied =
          new WatchedTree<>(session, ZkLayout.CONFIG_APPLIED, 1, MonitorReads::applied, null);
      t.members.start();
      t.health.start();
      t.applied.start();
      rosters.reconcile(t.members.byGroup());
      t.watchReads = t.watchReadsNow();
    } catch (RuntimeException e) {
      LOG.warn(
          "monitor (epoch {}): cannot take over now, trying again in {} ms: {}",
          lease.epoch(),
          settings.evaluationInterval().toMillis(),
          e.getMessage());
      t.close();
      retryBegin(lease);
      return;
    }
    term = t;
    published = t.active;
    LOG.info(
        "elected cluster monitor (epoch {}): {} alerts carried over, evaluating every {} ms",
        lease.epoch(),
        t.active.size(),
        settings.evaluationInterval().toMillis());
    long every = settings.evaluationInterval().toMillis();
    // at a fixed rate: a rule's for is counted in whole intervals, not intervals plus evaluations
    t.firstTick = settings.clock().instant();
    t.ticks = thread.scheduleAtFixedRate(this::evaluate, 0, every, TimeUnit.MILLISECONDS);
  }

  /** Takes over again after an interval, while the lease holds (ZooKeeper was not answering). */
  private void retryBegin(Lease lease) {
    try {
      thread.schedule(
          () -> {
            if (term == null && lease.isValid()) {
              begin(lease);
            }
          },
          settings.evaluationInterval().toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void end(Lease lease, String why) {
    if (term != null && term.lease.epoch() == lease.epoch()) {
      LOG.info("monitor term {} {}: standing by", lease.epoch(), why);
      endTerm();
    }
  }

  private void endTerm() {
    if (term != null) {
      term.close();
      term = null;
      published = Map.of();
    }
  }

  /** One evaluation; on the monitor thread. */
  private void evaluate() {
    Term t = term;
    if (t == null || !t.lease.isValid()) {
      return;
    }
    long started = System.nanoTime();
    Instant now = tick(t);
    try {
      if (t.reload) {
        t.active = t.store.takeOver();
        t.reload = false;
      }
      List<Rule> current = rules();
      long readsBefore = t.store.reads();
      long[] reads = {0};
      // The evaluation's time is its scheduled start (evaluations run at a fixed rate), so a
      // rule's for is counted in whole intervals; the inputs are read within the evaluation's
      // few milliseconds after it.
      List<SinkStatus> sinks = deliveries.values().stream().map(SinkDelivery::status).toList();
      MonitorInputs inputs =
          reader.inputs(t.members, t.health, t.applied, current, now, sinks, reads);
      List<AlertLifecycle.RuleResult> results =
          t.evaluator.evaluate(current, inputs, reader.undrained(t.rosters, reads));
      Map<String, Alert> base = new TreeMap<>(t.active);
      Set<String> confirmed = applyAcks(base, now);
      AlertLifecycle.Step step =
          AlertLifecycle.step(
              base, results, deliveries.keySet(), settings.flapWindow(), t.lease.epoch(), now);
      List<Alert> written = new ArrayList<>(step.written());
      for (String key : confirmed) {
        Alert a = step.alerts().get(key);
        if (a != null && written.stream().noneMatch(w -> w.key().equals(key))) {
          written.add(a);
        }
      }
      Map<String, Rosters.Roster> rosters = t.rosters.takeDirty();
      if (!written.isEmpty() || !step.removed().isEmpty() || !rosters.isEmpty()) {
        try {
          t.store.write(
              t.fencing,
              written,
              step.removed(),
              step.transitions(),
              rosters,
              settings.historyLimit());
        } catch (Exception e) {
          t.rosters.markDirty(rosters.keySet());
          throw e;
        }
      }
      t.active = step.alerts();
      published = t.active;
      for (Alert a : step.transitions()) {
        LOG.debug("alert {} {}", a.key(), a.state());
      }
      offer(t.active.values());
      long watchNow = t.watchReadsNow();
      last =
          new Evaluation(
              now,
              Duration.ofNanos(System.nanoTime() - started),
              current.size(),
              t.active.size(),
              reads[0] + t.store.reads() - readsBefore,
              watchNow - t.watchReads,
              t.lease.epoch());
      t.watchReads = watchNow;
      evaluations.incrementAndGet();
      if (t.failing) {
        LOG.info("monitor (epoch {}): evaluating again", t.lease.epoch());
        t.failing = false;
      }
    } catch (FencedException e) {
      LOG.warn("monitor: {}; standing by", e.getMessage());
      endTerm();
    } catch (Exception e) {
      t.reload = true;
      if (!t.failing) {
        LOG.warn(
            "monitor (epoch {}): evaluation failed, will retry: {}",
            t.lease.epoch(),
            e.getMessage() == null ? e.toString() : e.getMessage());
        t.failing = true;
      }
    } finally {
      evaluationTimer.record(Duration.ofNanos(System.nanoTime() - started));
    }
  }

  /**
   * The evaluation's time: its tick on the fixed-rate schedule (the clock rounded to the nearest
   * whole interval since the term's first), so that a rule's {@code for} counts whole intervals and
   * a few milliseconds of scheduling jitter never cost an interval more.
   */
  private Instant tick(Term t) {
    long every = settings.evaluationInterval().toMillis();
    long since = Duration.between(t.firstTick, settings.clock().instant()).toMillis();
    return t.firstTick.plusMillis(Math.round((double) since / every) * every);
  }

  /**
   * The rules in force: the defaults with those of {@value Rules#KEY} (see {@link Rules#inForce}),
   * the last good ones if the stored value is bad.
   */
  private List<Rule> rules() {
    Optional<JsonNode> value = rulesView.raw(Rules.KEY);
    if (value.isEmpty()) {
      if (rulesSource != null) {
        LOG.info("{} is unset: the default rules apply", Rules.KEY);
      }
      rulesSource = null;
      rules = Rules.defaults();
      return rules;
    }
    if (!value.get().equals(rulesSource)) {
      rulesSource = value.get();
      try {
        RuleSet set = Rules.inForce(value);
        rules = set.rules();
        LOG.info(
            "alerting rules: {} in force with {}{}",
            rules.size(),
            Rules.KEY,
            set.disabled().isEmpty()
                ? ""
                : " (defaults switched off: " + String.join(", ", set.disabled()) + ")");
      } catch (InvalidInputException e) {
        LOG.warn("{} is not valid, keeping the previous rules: {}", Rules.KEY, e.getMessage());
      }
    }
    return rules;
  }

  /** Writes the sinks' confirmations into the alerts; returns the keys changed. */
  private Set<String> applyAcks(Map<String, Alert> alerts, Instant now) {
    Set<String> changed = new TreeSet<>();
    for (Ack ack; (ack = acks.poll()) != null; ) {
      Alert a = alerts.get(ack.key());
      if (a != null && a.state() == ack.state() && a.notified().get(ack.sink()) != ack.state()) {
        alerts.put(a.key(), AlertLifecycle.notified(a, ack.sink(), ack.state(), now));
        changed.add(a.key());
      }
    }
    return changed;
  }

  /** Offers each sink what it has not been told of yet. */
  private void offer(java.util.Collection<Alert> alerts) {
    for (Alert a : alerts) {
      for (Map.Entry<String, SinkDelivery> d : deliveries.entrySet()) {
        String sink = d.getKey();
        if (AlertLifecycle.due(a, sink) && delivered.get(sink).get(a.key()) != a.state()) {
          d.getValue().offer(a);
        }
      }
    }
    // forget confirmations of alerts that are gone
    for (Map<String, AlertState> bySink : delivered.values()) {
      bySink.keySet().removeIf(key -> !published.containsKey(key));
    }
  }

  /** On a sink's delivery thread. */
  private void confirmed(String sink, Alert alert) {
    delivered.get(sink).put(alert.key(), alert.state());
    acks.add(new Ack(sink, alert.key(), alert.state()));
  }

  @Override
  public boolean isLeading() {
    Term t = term;
    return t != null && t.lease.isValid();
  }

  @Override
  public List<Alert> alerts() {
    return List.copyOf(published.values());
  }

  @Override
  public Optional<Evaluation> lastEvaluation() {
    return Optional.ofNullable(last);
  }

  @Override
  public List<SinkStatus> sinks() {
    return deliveries.values().stream().map(SinkDelivery::status).toList();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    forget.run();
    leadership.close();
    thread.execute(this::endTerm);
    thread.shutdown();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
    reader.close();
    deliveries.values().forEach(SinkDelivery::close);
    for (MonitorProbe probe : probes) {
      try {
        probe.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the {} probe failed: {}", probe.system(), e.toString());
      }
    }
    rulesView.close();
    meters.forEach(registry::remove);
  }
}
