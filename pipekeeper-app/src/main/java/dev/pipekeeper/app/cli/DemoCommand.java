package dev.pipekeeper.app.cli;

import dev.pipekeeper.app.demo.Demo;
import dev.pipekeeper.core.InvalidInputException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pipekeeper demo}: the whole system on this machine, told as a story whose every step is
 * checked; see {@link Demo}.
 */
@Command(
    name = "demo",
    description = {
      "Shows the whole system at work on this machine, each step verified.",
      "Starts a real ZooKeeper and Kafka, three instances of each example pipeline (each its own"
          + " JVM) and the monitor, and shows them at work: records flowing, a live config change,"
          + " the SINGLETON leader killed, a SHARDED member drained, an alert firing and resolving,"
          + " each also live on the console whose URL it prints."
          + " Interactive by default (runs until Ctrl-C); --scripted tells the story once and"
          + " exits 0 only if every step was verified."
    })
final class DemoCommand implements Callable<Integer> {
  private final ShutdownSignal shutdown;

  @Spec CommandSpec spec;

  @Option(
      names = "--scripted",
      description = "Tell the story once, unattended, then stop; exit 0 only if all was verified.")
  boolean scripted;

  @Option(
      names = "--secure",
      description =
          "On secured servers, as local --secure makes them: the instances and the monitor run as"
              + " the user writer with its client files and only the Kafka ACLs their pipelines"
              + " need.")
  boolean secure;

  @Option(
      names = "--step-timeout",
      paramLabel = "DURATION",
      defaultValue = "120s",
      converter = DurationConverter.class,
      description = "How long one step may take to be verified (default: ${DEFAULT-VALUE}).")
  Duration stepTimeout;

  @Option(
      names = "--progress-every",
      paramLabel = "DURATION",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description =
          "Interactive: how often to print a progress line after the story (default:"
              + " ${DEFAULT-VALUE}).")
  Duration progressEvery;

  @Option(
      names = "--console-port",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "The port of the console that shows the story live (web page, REST API, events);"
              + " 0 picks a free one (default: ${DEFAULT-VALUE}). Its URL is printed.")
  int consolePort;

  DemoCommand(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (stepTimeout.toMillis() < 1000) {
      throw new InvalidInputException("--step-timeout must be at least 1s");
    }
    if (progressEvery.isZero()) {
      throw new InvalidInputException("--progress-every must be longer than 0");
    }
    if (consolePort < 0 || consolePort > 65535) {
      throw new InvalidInputException(
          "--console-port must be between 0 and 65535, not " + consolePort);
    }
    PrintWriter out = spec.commandLine().getOut();
    Demo demo = new Demo(out, 3, stepTimeout, shutdown::awaitRequest, secure, consolePort);
    try {
      Optional<String> failed;
      try {
        failed = demo.tell();
      } catch (InterruptedException stopped) {
        out.println("demo: stopping...");
        out.flush();
        return ExitCodes.OK;
      }
      printSummary(out, demo.steps());
      if (failed.isPresent()) {
        out.printf("demo: step '%s' was not verified; stopping%n", failed.get());
        out.flush();
        return ExitCodes.FAILED;
      }
      if (scripted) {
        out.println("demo: every step verified; stopping");
        out.flush();
        return ExitCodes.OK;
      }
      out.println();
      out.println("demo: every step verified. Still running: in another terminal, try");
      ServerExports.print(out, "  ", demo.zookeeper(), demo.kafka(), demo.cluster());
      out.println("  ./pipekeeper members; ./pipekeeper health; ./pipekeeper alerts");
      demo.consoleUrl().ifPresent(url -> out.println("or open the console: " + url));
      out.println("demo: press Ctrl-C to stop everything.");
      out.flush();
      while (!shutdown.awaitRequest(progressEvery.toMillis())) {
        out.println("demo: " + demo.progress());
        out.flush();
      }
      out.println("demo: stopping...");
      out.flush();
      return ExitCodes.OK;
    } finally {
      demo.close();
      out.println("demo: stopped; nothing left running, temporary data deleted");
      out.flush();
      shutdown.finished();
    }
  }

  private static void printSummary(PrintWriter out, List<Demo.Step> steps) {
    out.println();
    Table table = new Table("STEP", "VERIFIED", "MEASURED");
    for (Demo.Step step : steps) {
      table.row(step.name(), step.verified() ? "yes" : "NO", step.figures());
    }
    table.print(out);
    out.flush();
  }
}
