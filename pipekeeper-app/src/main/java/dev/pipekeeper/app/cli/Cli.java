package dev.pipekeeper.app.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Runs the {@code pipekeeper} command line with the given environment and streams, and returns its
 * exit code (see {@link ExitCodes}); it never calls {@code System.exit}, so tests run it
 * in-process.
 */
public final class Cli {
  private static final List<String> CONNECTION_OPTIONS =
      List.of("--zk", "--bootstrap-servers", "--cluster", "--connect-timeout");

  private final Map<String, String> environment;
  private final InputStream in;
  private final PrintWriter out;
  private final PrintWriter err;
  private final ShutdownSignal shutdown;

  /** With the JVM's standard input. */
  public Cli(
      Map<String, String> environment, PrintWriter out, PrintWriter err, ShutdownSignal shutdown) {
    this(environment, System.in, out, err, shutdown);
  }

  public Cli(
      Map<String, String> environment,
      InputStream in,
      PrintWriter out,
      PrintWriter err,
      ShutdownSignal shutdown) {
    this.environment = Map.copyOf(environment);
    this.in = in;
    this.out = out;
    this.err = err;
    this.shutdown = shutdown;
  }

  /**
   * Runs one command. When it returns, the shutdown signal is marked finished: a Ctrl-C or SIGTERM
   * that comes later (or {@code System.exit}, which runs the shutdown hooks) has nothing to wait
   * for.
   */
  public int execute(String... args) {
    try {
      CommandLine commandLine =
          new CommandLine(new PipekeeperCommand(), new Factory(shutdown, in))
              .setDefaultValueProvider(new EnvironmentDefaults(environment))
              // a cluster, group or member may be named like a command: --cluster demo
              .setAllowSubcommandsAsOptionParameters(true)
              .setOut(out)
              .setErr(err)
              .setParameterExceptionHandler(Cli::onUsageError)
              .setExecutionExceptionHandler(this::onError);
      withoutConnectionOptions(commandLine, "local", "demo");
      int code = commandLine.execute(args);
      out.flush();
      err.flush();
      return code;
    } finally {
      shutdown.finished();
    }
  }

  /**
   * The commands that start their own servers take none of the options that name servers: they are
   * removed from their help (with the footer's line about their variables) and refused on their
   * command line.
   */
  private static void withoutConnectionOptions(CommandLine root, String... commands) {
    for (String command : commands) {
      CommandSpec spec = root.getSubcommands().get(command).getCommandSpec();
      for (String option : CONNECTION_OPTIONS) {
        spec.remove(spec.findOption(option));
      }
      spec.usageMessage().footer("", PipekeeperCommand.EXIT_CODES);
    }
  }

  /** A wrong command line: one line naming what is wrong, and where the usage is. */
  private static int onUsageError(CommandLine.ParameterException error, String[] args) {
    CommandLine failed = error.getCommandLine();
    PrintWriter stderr = failed.getErr();
    stderr.println("pipekeeper: " + error.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(error, stderr);
    stderr.println("See '" + failed.getCommandSpec().qualifiedName() + " --help'.");
    return ExitCodes.USAGE;
  }

  private int onError(Exception error, CommandLine commandLine, CommandLine.ParseResult result) {
    PrintWriter stderr = commandLine.getErr();
    OptionSpec kafka = commandLine.getCommandSpec().findOption("--bootstrap-servers");
    Throwable reported = ExitCodes.reported(error, kafka == null ? null : kafka.getValue());
    if (ExitCodes.isExpected(reported)) {
      stderr.println("pipekeeper: " + reported.getMessage());
    } else {
      stderr.println("pipekeeper: internal error (please report it): " + error);
      error.printStackTrace(stderr);
    }
    return ExitCodes.of(reported);
  }

  /** Creates commands with what they need from outside: the shutdown signal, standard input. */
  private static final class Factory implements CommandLine.IFactory {
    private final ShutdownSignal shutdown;
    private final InputStream in;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    Factory(ShutdownSignal shutdown, InputStream in) {
      this.shutdown = shutdown;
      this.in = in;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == LocalCommand.class) {
        return type.cast(new LocalCommand(shutdown));
      }
      if (type == DemoCommand.class) {
        return type.cast(new DemoCommand(shutdown));
      }
      if (type == RunCommand.class) {
        return type.cast(new RunCommand(shutdown));
      }
      if (type == ConsoleCommand.class) {
        return type.cast(new ConsoleCommand(shutdown));
      }
      if (type == BridgeCommand.ZkToKafka.class) {
        return type.cast(new BridgeCommand.ZkToKafka(shutdown));
      }
      if (type == BridgeCommand.KafkaToZk.class) {
        return type.cast(new BridgeCommand.KafkaToZk(shutdown));
      }
      if (type == AuditCommand.class) {
        return type.cast(new AuditCommand(shutdown));
      }
      if (type == AuditCommand.Tail.class) {
        return type.cast(new AuditCommand.Tail(shutdown));
      }
      if (type == MonitorCommand.class) {
        return type.cast(new MonitorCommand(shutdown));
      }
      if (type == ConfigWatchCommand.class) {
        return type.cast(new ConfigWatchCommand(shutdown));
      }
      if (type == ConfigApplyCommand.class) {
        return type.cast(new ConfigApplyCommand(in));
      }
      if (type == ConfigSchemaCommand.Set.class) {
        return type.cast(new ConfigSchemaCommand.Set(in));
      }
      return fallback.create(type);
    }
  }
}
