package dev.pipekeeper.app.cli;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code pipekeeper} command and the options every command shares. */
@Command(
    name = "pipekeeper",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description =
        "Coordination, configuration and monitoring of Kafka pipelines through ZooKeeper.",
    subcommands = {
      DemoCommand.class,
      LocalCommand.class,
      StatusCommand.class,
      MembersCommand.class,
      LeadersCommand.class,
      LocksCommand.class,
      UnitsCommand.class,
      AssignmentsCommand.class,
      HealthCommand.class,
      DrainCommand.Drain.class,
      DrainCommand.Undrain.class,
      ConfigCommand.class,
      AlertsCommand.class,
      MonitorCommand.class,
      RunCommand.class
    },
    footer = {
      "",
      "Environment: PIPEKEEPER_ZK, PIPEKEEPER_BOOTSTRAP_SERVERS and PIPEKEEPER_CLUSTER give the"
          + " defaults of --zk, --bootstrap-servers and --cluster.",
      PipekeeperCommand.EXIT_CODES
    })
public final class PipekeeperCommand implements Runnable {
  /** The last line of every command's help. */
  static final String EXIT_CODES =
      "Exit codes: 0 done, 1 failed (e.g. a server unreachable), 2 wrong usage or input.";

  @Spec CommandSpec spec;

  @Option(
      names = "--zk",
      scope = ScopeType.INHERIT,
      paramLabel = "CONNECT",
      defaultValue = "127.0.0.1:2181",
      description = "ZooKeeper connect string (default: ${DEFAULT-VALUE}).")
  String zk;

  @Option(
      names = "--bootstrap-servers",
      scope = ScopeType.INHERIT,
      paramLabel = "SERVERS",
      defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--cluster",
      scope = ScopeType.INHERIT,
      paramLabel = "NAME",
      defaultValue = "default",
      description =
          "Pipekeeper cluster: its data lives under /pipekeeper/NAME (default: ${DEFAULT-VALUE}).")
  String cluster;

  @Option(
      names = "--connect-timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.Positive.class,
      description =
          "How long to wait for a server to answer, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: say which one to run");
  }
}
