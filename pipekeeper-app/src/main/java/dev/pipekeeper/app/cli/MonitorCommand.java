package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertSinks;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.MonitorBuilder;
import dev.pipekeeper.core.monitor.MonitorProbe;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.core.monitor.SinkStatus;
import dev.pipekeeper.kafka.monitor.KafkaAlertSink;
import dev.pipekeeper.kafka.monitor.KafkaProbe;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipekeeper monitor}: a contender for the cluster's one monitor (role {@value
 * Monitor#ROLE}) in the foreground until Ctrl-C or SIGTERM, which close it: it leaves the election
 * at once, so a standby takes over without waiting for this session to expire.
 *
 * <p>Each transition the monitor delivers is printed to standard output by the command's own sink
 * ({@code console}). The monitor's log sink is off: the CLI logs to standard error at WARN, where
 * it would print every FIRING a second time. Kafka being unreachable does not stop the command: it
 * is what the {@code kafka} rule watches.
 */
@Command(
    name = "monitor",
    description = {
      "Runs a contender for the cluster's monitor until Ctrl-C or SIGTERM.",
      "The elected one evaluates the rules of "
          + Rules.KEY
          + " and delivers alert transitions (printed here, and to --webhook and --alert-topic);"
          + " the others stand by and take over when it goes."
    })
final class MonitorCommand implements Callable<Integer> {
  /** What {@code MonitorBuilder.start()} accepts; checked here too, before connecting. */
  private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  /** Until the election has settled, how often to ask who leads. */
  private static final long LEADER_CHECK_NANOS = Duration.ofMillis(500).toNanos();

  /** After this long without a grant or another leader, say that this one stands by anyway. */
  private static final long SETTLE_NANOS = Duration.ofSeconds(5).toNanos();

  private final ShutdownSignal shutdown;

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "How often the elected monitor evaluates the rules (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description =
          "Also POST each transition to this URL in Alertmanager's webhook format (version 4).")
  String webhook;

  @Option(
      names = "--webhook-header",
      paramLabel = "NAME=VALUE",
      description = "A header for every webhook request, e.g. Authorization=...; repeatable.")
  List<String> webhookHeaders = new ArrayList<>();

  @Option(
      names = "--webhook-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long a webhook request may take (default: 5s).")
  Duration webhookTimeout;

  @Option(
      names = "--alert-topic",
      paramLabel = "TOPIC",
      description =
          "Also write each transition to this Kafka topic on --bootstrap-servers (keyed by the"
              + " alert's key), creating it if it is missing.")
  String alertTopic;

  @Option(
      names = "--alert-topic-replication",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "The replication factor of --alert-topic if it has to be created (one partition;"
              + " default: ${DEFAULT-VALUE}).")
  int alertTopicReplication;

  @Option(
      names = "--no-kafka",
      description =
          "Leave Kafka out: no probe of --bootstrap-servers (the kafka and consumer rules see"
              + " nothing) and no --alert-topic.")
  boolean noKafka;

  @Mixin MetricsOption metrics;

  @Option(
      names = "--id",
      paramLabel = "ID",
      description = "This contender's identity (default: monitor-HOST-PID).")
  String id;

  @Option(
      names = "--session-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.Positive.class,
      description =
          "ZooKeeper session timeout: how soon a standby takes over if this process dies"
              + " (default: ${DEFAULT-VALUE}).")
  Duration sessionTimeout;

  MonitorCommand(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  @Override
  public Integer call() throws InterruptedException {
    try {
      return monitor();
    } finally {
      shutdown.finished();
    }
  }

  private int monitor() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    // Everything is checked, and every sink built, before connecting: bad input is exit 2 and
    // nothing is started.
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new InvalidInputException(
          "--interval must be at least "
              + Durations.format(MIN_INTERVAL)
              + ", not "
              + text(interval));
    }
    metrics.check();
    if (webhook == null && (!webhookHeaders.isEmpty() || webhookTimeout != null)) {
      throw new InvalidInputException("--webhook-header and --webhook-timeout need --webhook");
    }
    if (noKafka && alertTopic != null) {
      throw new InvalidInputException("--alert-topic writes to Kafka, so not with --no-kafka");
    }
    String identity = id != null ? Names.check("identity", id) : defaultIdentity();
    List<AlertSink> sinks = new ArrayList<>();
    MonitorProbe probe = null;
    Monitor monitor = null;
    try {
      if (webhook != null) {
        sinks.add(
            AlertSinks.webhook(
                url(webhook),
                webhookTimeout != null ? webhookTimeout : AlertSinks.DEFAULT_WEBHOOK_TIMEOUT,
                headers(webhookHeaders)));
      }
      if (alertTopic != null) {
        sinks.add(
            KafkaAlertSink.builder(root.kafka.bootstrapServers, alertTopic)
                .kafkaProperties(root.kafka.clientProperties())
                .createTopic(1, alertTopicReplication)
                .build());
      }
      if (!noKafka) {
        probe =
            KafkaProbe.builder(root.kafka.bootstrapServers)
                .kafkaProperties(root.kafka.clientProperties())
                .build();
      }
      // The endpoint first, as `run` does: the global registry's counters count only once a
      // registry is in it.
      try (MetricsEndpoint metrics = this.metrics.start();
          Pipekeeper pk = Connections.openAsMember(root.zookeeper, identity, sessionTimeout)) {
        ConsoleSink console = new ConsoleSink(out);
        MonitorBuilder settings =
            pk.monitor().evaluationInterval(interval).logSink(false).sink(console);
        sinks.forEach(settings::sink);
        if (probe != null) {
          settings.probe(probe);
        }
        monitor = settings.start(); // owns the sinks and the probe from here on
        String setup = setup(console, sinks);
        if (metrics != null) {
          line(out, "monitor: metrics at http://localhost:" + metrics.port() + "/metrics");
        }
        follow(pk, monitor, identity, setup, out);
        line(out, "monitor: stopping " + identity + "...");
        monitor.close();
        line(out, "monitor: " + identity + " stopped" + delivered(monitor.sinks()));
      }
      return ExitCodes.OK;
    } finally {
      if (monitor == null) {
        sinks.forEach(AlertSink::close);
        if (probe != null) {
          probe.close();
        }
      } else {
        monitor.close(); // safe twice; closes it if the loop above failed
      }
    }
  }

  /**
   * Prints a line when the election settles (elected, or standing by behind another monitor) and on
   * every change after, until a stop is requested. The monitor has no election callbacks, so its
   * {@link Monitor#isLeading()} is polled, as often as {@code run} polls its pipeline.
   */
  private void follow(
      Pipekeeper pk, Monitor monitor, String identity, String setup, PrintWriter out)
      throws InterruptedException {
    long started = System.nanoTime();
    long nextCheck = started;
    Boolean shown = null; // what was last printed: elected (true), standing by (false), nothing yet
    while (!shutdown.awaitRequest(100)) {
      boolean leading = monitor.isLeading();
      if (leading && shown != Boolean.TRUE) {
        Optional<RoleInfo> role = role(pk);
        line(
            out,
            "monitor: "
                + identity
                + " elected"
                + role.map(r -> " (epoch " + r.epoch() + ")").orElse("")
                + ", evaluating the rules every "
                + text(interval)
                + (shown == null ? "; " + setup : ""));
        shown = true;
      } else if (!leading && shown == Boolean.TRUE) {
        line(out, "monitor: " + identity + " standing by: no longer the elected monitor");
        shown = false;
      } else if (!leading && shown == null && System.nanoTime() - nextCheck >= 0) {
        nextCheck = System.nanoTime() + LEADER_CHECK_NANOS;
        Optional<String> other =
            role(pk).flatMap(RoleInfo::leader).filter(leader -> !leader.equals(identity));
        if (other.isPresent()) {
          line(
              out,
              "monitor: "
                  + identity
                  + " standing by: "
                  + other.get()
                  + " is the elected monitor; "
                  + setup);
          shown = false;
        } else if (System.nanoTime() - started > SETTLE_NANOS) {
          line(out, "monitor: " + identity + " standing by: not elected yet; " + setup);
          shown = false;
        }
      }
    }
  }

  /** The monitor role as ZooKeeper has it now, if it can be read. */
  private static Optional<RoleInfo> role(Pipekeeper pk) {
    try {
      return pk.inspector().roles().stream().filter(r -> r.role().equals(Monitor.ROLE)).findFirst();
    } catch (PipekeeperException unreachable) {
      return Optional.empty(); // the line goes without the detail; the connection retries
    }
  }

  private String setup(ConsoleSink console, List<AlertSink> sinks) {
    List<String> names = new ArrayList<>();
    names.add(console.name());
    sinks.forEach(s -> names.add(s.name()));
    return "sinks "
        + String.join(", ", names)
        + (noKafka ? "; Kafka left out" : "; probing Kafka at " + root.kafka.bootstrapServers);
  }

  private static String delivered(List<SinkStatus> sinks) {
    return sinks.isEmpty()
        ? ""
        : sinks.stream()
            .map(s -> s.sink() + " " + s.delivered())
            .collect(Collectors.joining(", ", " (transitions delivered: ", ")"));
  }

  private static URI url(String text) {
    try {
      return new URI(text.trim());
    } catch (URISyntaxException e) {
      // Not quoted back: webhook URLs often carry a token in their path or query.
      throw new InvalidInputException(
          "--webhook is not a URL: "
              + e.getReason()
              + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) : ""));
    }
  }

  /** {@code NAME=VALUE} options as headers; values are never quoted back (credentials). */
  static Map<String, String> headers(List<String> options) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputException(
            "--webhook-header number " + (i + 1) + " is not NAME=VALUE");
      }
      String name = option.substring(0, eq).trim();
      if (headers.putIfAbsent(name, option.substring(eq + 1)) != null) {
        throw new InvalidInputException("--webhook-header " + name + " is given twice");
      }
    }
    return headers;
  }

  private static String text(Duration d) {
    return Durations.format(d);
  }

  private static String defaultIdentity() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "-");
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return "monitor-" + host + "-" + ProcessHandle.current().pid();
  }

  /** One line, whole, even when a sink's thread prints at the same time. */
  private static void line(PrintWriter out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  /**
   * The command's sink: one line per delivered transition on standard output, e.g. {@code FIRING
   * critical member-down/enrichment/m3: member m3 of enrichment left without draining}. It never
   * fails.
   */
  static final class ConsoleSink implements AlertSink {
    private final PrintWriter out;

    ConsoleSink(PrintWriter out) {
      this.out = out;
    }

    @Override
    public String name() {
      return "console";
    }

    @Override
    public void deliver(Alert alert) {
      line(out, text(alert));
    }

    static String text(Alert alert) {
      StringBuilder line = new StringBuilder();
      line.append(alert.state()).append(' ');
      line.append(alert.severity() == null ? "-" : alert.severity().label()).append(' ');
      line.append(alert.key());
      if (alert.summary() != null && !alert.summary().isBlank()) {
        line.append(": ").append(alert.summary());
      }
      if (alert.ruleRemoved()) {
        line.append(" [rule removed, not a recovery]");
      }
      if (alert.flapping()) {
        line.append(" [flapping]");
      }
      return line.toString();
    }
  }
}
