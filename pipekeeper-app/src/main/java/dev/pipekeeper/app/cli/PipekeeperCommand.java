package dev.pipekeeper.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code pipekeeper} command and the options every command shares. */
@Command(
    name = "pipekeeper",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = VersionProvider.class,
    resourceBundle = "dev.pipekeeper.app.cli.OptionDescriptions",
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
      AclCommand.class,
      KafkaAclsCommand.class,
      AlertsCommand.class,
      MonitorCommand.class,
      ConsoleCommand.class,
      BridgeCommand.class,
      AuditCommand.class,
      RunCommand.class
    },
    footer = {
      "",
      "Environment: PIPEKEEPER_ZK, PIPEKEEPER_BOOTSTRAP_SERVERS, PIPEKEEPER_CLUSTER,"
          + " PIPEKEEPER_ZK_CONFIG and PIPEKEEPER_KAFKA_CONFIG give the defaults of --zk,"
          + " --bootstrap-servers, --cluster, --zk-config and --kafka-config.",
      PipekeeperCommand.EXIT_CODES
    })
public final class PipekeeperCommand implements Runnable {
  /** The last line of every command's help. */
  static final String EXIT_CODES =
      "Exit codes: 0 done, 1 failed (e.g. a server unreachable), 2 wrong usage or input.";

  @Spec CommandSpec spec;

  /** --zk, --cluster, --connect-timeout: inherited by every command. */
  @Mixin ConnectionOptions.ZooKeeper zookeeper;

  /** --bootstrap-servers, --kafka-config: inherited by every command. */
  @Mixin ConnectionOptions.Kafka kafka;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: say which one to run");
  }
}
