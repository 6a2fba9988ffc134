package dev.pipekeeper.core.monitor;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.Connection;
import dev.pipekeeper.core.monitor.internal.DefaultMonitor;
import dev.pipekeeper.core.monitor.internal.MonitorSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link Monitor}, from {@link dev.pipekeeper.core.Pipekeeper#monitor()}; every
 * setting has a default.
 * <!-- example-context: Pipekeeper pk -->
 *
 * <pre>{@code
 * Monitor monitor = pk.monitor()
 *     .evaluationInterval(Duration.ofSeconds(5))
 *     // a webhook in Alertmanager's shape
 *     .sink(AlertSinks.webhook(URI.create("http://alert-receiver:8080/hook")))
 *     .probe(KafkaProbe.builder("kafka:9092").build()) // KafkaProbe is in pipekeeper-kafka
 *     .start();
 * }</pre>
 */
public final class MonitorBuilder {
  private final Pipekeeper pk;
  private Duration evaluationInterval = Duration.ofSeconds(5);
  private final List<AlertSink> sinks = new ArrayList<>();
  private final List<MonitorProbe> probes = new ArrayList<>();
  private boolean logSink = true;
  private MeterRegistry metrics;
  private Clock clock = Clock.systemUTC();
  private Duration flapWindow = Duration.ofMinutes(10);
  private int historyLimit = 1000;
  private int deliveryQueue = 1000;
  private Duration deliveryBackoff = Duration.ofMillis(500);
  private Duration deliveryMaxBackoff = Duration.ofSeconds(30);
  private Duration ensembleTimeout = Duration.ofSeconds(2);
  private String ensemble;

  MonitorBuilder(Pipekeeper pk) {
    this.pk = Objects.requireNonNull(pk);
  }

  /** How often the elected monitor evaluates the rules (default 5 s, at least 100 ms). */
  public MonitorBuilder evaluationInterval(Duration interval) {
    this.evaluationInterval = Objects.requireNonNull(interval);
    return this;
  }

  /** Adds a sink (names must be unique; the log sink is named {@code log}). */
  public MonitorBuilder sink(AlertSink sink) {
    sinks.add(Objects.requireNonNull(sink));
    return this;
  }

  /** Whether transitions also go to the log (default true): one line each. */
  public MonitorBuilder logSink(boolean enabled) {
    this.logSink = enabled;
    return this;
  }

  /**
   * Adds a probe of an outside system (Kafka): its reachability and consumer offsets. Each probe's
   * {@link MonitorProbe#system() system} must be unique: the rules find a probe's report by it.
   */
  public MonitorBuilder probe(MonitorProbe probe) {
    probes.add(Objects.requireNonNull(probe));
    return this;
  }

  /** Where the monitor's meters go (default the connection's, {@code pk.metrics()}). */
  public MonitorBuilder metrics(MeterRegistry registry) {
    this.metrics = Objects.requireNonNull(registry);
    return this;
  }

  /** The clock of the rules' durations (default the system's UTC clock). */
  public MonitorBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock);
    return this;
  }

  /**
   * How long a resolved alert is remembered (default 10 min): firing again within it counts toward
   * flapping; a flapping alert's notifications wait until it kept one state this long.
   */
  public MonitorBuilder flapWindow(Duration window) {
    this.flapWindow = Objects.requireNonNull(window);
    return this;
  }

  /** How many transitions {@code alerts/history} keeps (default 1000; the oldest are pruned). */
  public MonitorBuilder historyLimit(int limit) {
    this.historyLimit = limit;
    return this;
  }

  /** How many alerts may wait per sink (default 1000); more wait for the next evaluation. */
  public MonitorBuilder deliveryQueue(int capacity) {
    this.deliveryQueue = capacity;
    return this;
  }

  /** The first and the longest wait between delivery retries (default 500 ms and 30 s). */
  public MonitorBuilder deliveryBackoff(Duration first, Duration longest) {
    this.deliveryBackoff = Objects.requireNonNull(first);
    this.deliveryMaxBackoff = Objects.requireNonNull(longest);
    return this;
  }

  /**
   * The ZooKeeper servers the {@code zookeeper} rules ask (default: the connection's connect
   * string), and how long each may take to answer (default 2 s).
   */
  public MonitorBuilder ensemble(String connectString, Duration timeout) {
    this.ensemble = connectString;
    this.ensembleTimeout = Objects.requireNonNull(timeout);
    return this;
  }

  /**
   * Starts contending for the monitor role; returns at once (the elected monitor evaluates in the
   * background).
   *
   * @throws InvalidInputException for a setting out of range, two sinks of one name or two probes
   *     of one system
   */
  public Monitor start() {
    if (evaluationInterval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new InvalidInputException(
          "the evaluation interval must be at least 100 ms, not "
              + evaluationInterval.toMillis()
              + " ms");
    }
    if (historyLimit < 1 || deliveryQueue < 1) {
      throw new InvalidInputException(
          "the history limit and the delivery queue must be at least 1");
    }
    if (flapWindow.isNegative()
        || deliveryBackoff.isNegative()
        || deliveryMaxBackoff.compareTo(deliveryBackoff) < 0
        || ensembleTimeout.isZero()
        || ensembleTimeout.isNegative()) {
      throw new InvalidInputException(
          "the flap window, the delivery backoffs and the ensemble timeout must be positive, the"
              + " longest backoff at least the first");
    }
    MonitorSettings settings =
        new MonitorSettings(
            evaluationInterval,
            List.copyOf(sinks),
            logSink,
            List.copyOf(probes),
            metrics,
            clock,
            flapWindow,
            historyLimit,
            deliveryQueue,
            deliveryBackoff,
            deliveryMaxBackoff,
            ensemble,
            ensembleTimeout);
    Connection connection = Connection.of(pk);
    DefaultMonitor monitor = new DefaultMonitor(pk, connection.session(), settings);
    monitor.forgetOnClose(connection.track(monitor));
    monitor.start();
    return monitor;
  }
}
