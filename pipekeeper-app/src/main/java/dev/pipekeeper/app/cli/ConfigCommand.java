package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config}: the configuration commands. */
@Command(
    name = "config",
    description = {
      "Reads and changes configuration: versioned, validated, atomic and live.",
      "Scopes are global, pipeline/NAME and member/ID; a member sees member over pipeline over"
          + " global. Values of secret keys (schema with \"writeOnly\": true) are always masked."
    },
    subcommands = {
      ConfigGetCommand.class,
      ConfigSetCommand.class,
      ConfigApplyCommand.class,
      ConfigDeleteCommand.class,
      ConfigListCommand.class,
      ConfigHistoryCommand.class,
      ConfigDiffCommand.class,
      ConfigRollbackCommand.class,
      ConfigWatchCommand.class,
      ConfigSchemaCommand.class,
      ConfigAppliedCommand.class
    })
final class ConfigCommand implements Runnable {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: say which one to run");
  }

  /** The connection the subcommands that read work with, from the global options. */
  Pipekeeper connect() {
    return Connections.open(root.zookeeper);
  }

  /** The connection the subcommands that write work with: it creates a missing chroot. */
  Pipekeeper connectToWrite() {
    return Connections.openToWrite(root.zookeeper);
  }
}
