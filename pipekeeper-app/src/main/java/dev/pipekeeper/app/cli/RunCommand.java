package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.Console;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.examples.Example;
import dev.pipekeeper.examples.Examples;
import dev.pipekeeper.examples.SchedulerExample;
import dev.pipekeeper.examples.TickClock;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Pipeline;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipekeeper run EXAMPLE}: one instance of an example pipeline in the foreground until
 * Ctrl-C or SIGTERM, which stop it gracefully (in-flight work drained and committed, the group
 * left, roles and units released) within its close bound.
 */
@Command(
    name = "run",
    description = {
      "Runs one instance of an example pipeline until Ctrl-C or SIGTERM.",
      "Against --zk and --bootstrap-servers (secured ones with --zk-config and --kafka-config),"
          + " creating its topics if they are missing; Ctrl-C or"
          + " SIGTERM stop it gracefully. Start it several times, each with its own --member, to"
          + " see the instances share the work."
    })
final class RunCommand implements Callable<Integer> {
  private final ShutdownSignal shutdown;

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "EXAMPLE",
      description = "enrichment (PARALLEL), scheduler (SINGLETON) or ingester (SHARDED).")
  String example;

  @Option(names = "--list", description = "List the examples instead of running one.")
  boolean list;

  @Mixin JsonOutput output;

  @Option(
      names = "--member",
      paramLabel = "ID",
      description = "This instance's member id (default: EXAMPLE-HOST-PID).")
  String member;

  @Option(
      names = "--session-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.Positive.class,
      description =
          "ZooKeeper session timeout: how soon the others take over if this instance dies"
              + " (default: ${DEFAULT-VALUE}).")
  Duration sessionTimeout;

  @Option(
      names = "--progress-every",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How often to print a progress line; 0 for never (default: ${DEFAULT-VALUE}).")
  Duration progressEvery;

  @Mixin MetricsOption metrics;

  @Mixin ConsoleOption consoleOption;

  @Option(
      names = "--clock",
      description = "scheduler only: also write the ticks, one a second (run one clock).")
  boolean clock;

  RunCommand(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      output.print(RunCommand::examplesJson, RunCommand::printExamples);
      return ExitCodes.OK;
    }
    if (example == null) {
      throw new InvalidInputException("say which example to run: " + names());
    }
    Example chosen = Examples.named(example);
    if (clock && !chosen.name().equals(SchedulerExample.NAME)) {
      throw new InvalidInputException("--clock is for the scheduler example only");
    }
    metrics.check();
    consoleOption.check();
    KafkaClientSettings kafka = root.kafka.settings();
    String id = member != null ? Names.check("member", member) : defaultMember(chosen);
    try {
      // The endpoint first: counters of the global registry count only once a registry is in it,
      // so the connection's first CONNECTED is counted.
      try (MetricsEndpoint metrics = this.metrics.start();
          Pipekeeper pk = Connections.openAsMember(root.zookeeper, id, sessionTimeout);
          // before the pipeline: a refused token file stops the run before it does any work
          Console console = consoleOption.start(pk, kafka);
          TickClock ticks = clock ? TickClock.start(kafka) : null) {
        Examples.setUp(chosen, pk, kafka);
        Pipeline pipeline = chosen.build(pk, kafka);
        try (pipeline) {
          pipeline.start();
          out.printf(
              "%s: running as %s (%s) against ZooKeeper %s and Kafka %s%s%n",
              chosen.name(),
              id,
              chosen.mode(),
              root.zookeeper.connectString,
              root.kafka.bootstrapServers,
              ticks != null ? ", with the clock" : "");
          if (metrics != null) {
            out.printf(
                "%s: metrics at http://localhost:%d/metrics%n", chosen.name(), metrics.port());
          }
          if (console != null) {
            out.printf(
                "%s: console at %s (%s)%n", chosen.name(), console.url(), consoleOption.access());
          }
          out.flush();
          if (!awaitStop(pipeline, out, chosen, id)) {
            out.printf("%s: %s failed; stopping%n", chosen.name(), id);
            out.flush();
            return ExitCodes.FAILED;
          }
          out.printf("%s: stopping %s...%n", chosen.name(), id);
          out.flush();
        }
        out.printf(
            "%s: %s stopped after %d records (%d dead-lettered)%n",
            chosen.name(), id, pipeline.processed(), pipeline.deadLettered());
        out.flush();
      }
      return ExitCodes.OK;
    } finally {
      shutdown.finished();
    }
  }

  /** Waits for Ctrl-C or SIGTERM, printing progress; false if the pipeline failed meanwhile. */
  private boolean awaitStop(Pipeline pipeline, PrintWriter out, Example chosen, String id)
      throws InterruptedException {
    long every = progressEvery.isZero() ? Long.MAX_VALUE : progressEvery.toNanos();
    long nextProgress = System.nanoTime() + every;
    long last = pipeline.processed();
    while (!shutdown.awaitRequest(200)) {
      if (pipeline.state() == Pipeline.State.FAILED) {
        return false;
      }
      if (System.nanoTime() - nextProgress >= 0) {
        nextProgress += every;
        long now = pipeline.processed();
        out.printf(
            "%s: %s %s, %d records (+%d), %d dead-lettered, %s%n",
            chosen.name(),
            id,
            pipeline.state(),
            now,
            now - last,
            pipeline.deadLettered(),
            share(pipeline));
        out.flush();
        last = now;
      }
    }
    return true;
  }

  /** What this instance works on now. */
  private static String share(Pipeline pipeline) {
    if (!pipeline.units().isEmpty()) {
      return "units " + String.join(",", new TreeSet<>(pipeline.units()));
    }
    List<String> partitions =
        pipeline.partitions().stream().map(Object::toString).sorted().toList();
    return partitions.isEmpty() ? "no work now" : "partitions " + String.join(",", partitions);
  }

  private static String defaultMember(Example chosen) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "-");
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return chosen.name() + "-" + host + "-" + ProcessHandle.current().pid();
  }

  private static List<Map<String, Object>> examplesJson() {
    return Examples.all().stream()
        .map(
            e -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("name", e.name());
              entry.put("mode", e.mode().name());
              entry.put("summary", e.summary());
              entry.put("topics", e.topics().stream().map(Example.ExampleTopic::name).toList());
              return entry;
            })
        .toList();
  }

  private static void printExamples(PrintWriter out) {
    Table table = new Table("EXAMPLE", "MODE", "WHAT IT DOES");
    Examples.all().forEach(e -> table.row(e.name(), e.mode(), e.summary()));
    table.print(out);
  }

  private static String names() {
    return String.join(", ", Examples.all().stream().map(Example::name).toList());
  }
}
