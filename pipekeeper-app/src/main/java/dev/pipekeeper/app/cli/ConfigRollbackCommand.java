package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config rollback KEY --to SEQ}. */
@Command(
    name = "rollback",
    description = {
      "Gives a key back the value it had after a history entry.",
      "Written as a new change (see config history for SEQ); if that entry deleted the key,"
          + " deletes it."
    })
final class ConfigRollbackCommand implements Callable<Integer> {
  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;
  @Mixin ConfigOptions.WriterOptions writer;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
  String key;

  @Option(
      names = "--to",
      paramLabel = "SEQ",
      required = true,
      description = "The history entry whose value to restore.")
  int sequence;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    ConfigKeys.check(key);
    ChangeOptions options = writer.options();
    ConfigCommit commit;
    try (Pipekeeper pk = config.connectToWrite()) {
      commit =
          Secrecy.of(pk.config(), scope)
              .guard(
                  scope, List.of(key), () -> pk.config().rollback(scope, key, sequence, options));
    }
    output.print(() -> Views.commit(commit), out -> print(scope, commit, out));
    return ExitCodes.OK;
  }

  private void print(Scope scope, ConfigCommit commit, PrintWriter out) {
    if (commit.keys().isEmpty()) {
      out.printf(
          "%s %s already has the value of entry %d; nothing was written (scope version %d).%n",
          scope, key, sequence, commit.scopeVersion());
    } else {
      out.printf(
          "Rolled %s %s back to entry %d: scope version %d.%n",
          scope, key, sequence, commit.scopeVersion());
    }
  }
}
