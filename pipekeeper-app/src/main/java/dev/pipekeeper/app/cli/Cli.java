package dev.pipekeeper.app.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs the {@code pipekeeper} command line with the given environment and streams, and returns its
 * exit code (see {@link ExitCodes}); it never calls {@code System.exit}, so tests run it
 * in-process.
 */
public final class Cli {
  private final Map<String, String> environment;
  private final PrintWriter out;
  private final PrintWriter err;
  private final ShutdownSignal shutdown;

  public Cli(
      Map<String, String> environment, PrintWriter out, PrintWriter err, ShutdownSignal shutdown) {
    this.environment = Map.copyOf(environment);
    this.out = out;
    this.err = err;
    this.shutdown = shutdown;
  }

  public int execute(String... args) {
    CommandLine commandLine =
        new CommandLine(new PipekeeperCommand(), new Factory(shutdown))
            .setDefaultValueProvider(new EnvironmentDefaults(environment))
            .setOut(out)
            .setErr(err)
            .setExecutionExceptionHandler(this::onError);
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private int onError(Exception error, CommandLine commandLine, CommandLine.ParseResult result) {
    PrintWriter stderr = commandLine.getErr();
    if (ExitCodes.isExpected(error)) {
      stderr.println("pipekeeper: " + error.getMessage());
    } else {
      stderr.println("pipekeeper: internal error (please report it): " + error);
      error.printStackTrace(stderr);
    }
    return ExitCodes.of(error);
  }

  /** Creates commands with what they need from outside: the shutdown signal. */
  private static final class Factory implements CommandLine.IFactory {
    private final ShutdownSignal shutdown;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    Factory(ShutdownSignal shutdown) {
      this.shutdown = shutdown;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == LocalCommand.class) {
        return type.cast(new LocalCommand(shutdown));
      }
      return fallback.create(type);
    }
  }
}
