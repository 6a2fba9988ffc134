package dev.pipekeeper.app.cli;

import dev.pipekeeper.embedded.junit.TestCluster;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One in-process run of the command line, with what it printed and its exit code. */
final class CliRun {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final ShutdownSignal shutdown = new ShutdownSignal();
  private final Map<String, String> environment;
  private final InputStream in;
  volatile int exitCode = -1;

  CliRun(Map<String, String> environment) {
    this(environment, "");
  }

  CliRun(Map<String, String> environment, String standardInput) {
    this.environment = environment;
    this.in = new ByteArrayInputStream(standardInput.getBytes(StandardCharsets.UTF_8));
  }

  static CliRun run(String... args) {
    return runWith(Map.of(), args);
  }

  /** Runs against a test's own cluster: {@code --zk} and {@code --cluster} are appended. */
  static CliRun against(TestCluster cluster, String... args) {
    return againstWithInput(cluster, "", args);
  }

  /** {@link #against} with {@code input} on standard input. */
  static CliRun againstWithInput(TestCluster cluster, String input, String... args) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
    all.addAll(java.util.List.of("--zk", cluster.zkConnect(), "--cluster", cluster.cluster()));
    CliRun run = new CliRun(Map.of(), input);
    run.execute(all.toArray(String[]::new));
    return run;
  }

  static CliRun runWith(Map<String, String> environment, String... args) {
    CliRun run = new CliRun(environment);
    run.execute(args);
    return run;
  }

  void execute(String... args) {
    exitCode =
        new Cli(environment, in, new PrintWriter(out, true), new PrintWriter(err, true), shutdown)
            .execute(args);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }
}
