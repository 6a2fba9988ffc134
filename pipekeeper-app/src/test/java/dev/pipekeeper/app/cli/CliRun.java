package dev.pipekeeper.app.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One in-process run of the command line, with what it printed and its exit code. */
final class CliRun {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final ShutdownSignal shutdown = new ShutdownSignal();
  private final Map<String, String> environment;
  volatile int exitCode = -1;

  CliRun(Map<String, String> environment) {
    this.environment = environment;
  }

  static CliRun run(String... args) {
    return runWith(Map.of(), args);
  }

  static CliRun runWith(Map<String, String> environment, String... args) {
    CliRun run = new CliRun(environment);
    run.execute(args);
    return run;
  }

  void execute(String... args) {
    exitCode =
        new Cli(environment, new PrintWriter(out, true), new PrintWriter(err, true), shutdown)
            .execute(args);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }
}
