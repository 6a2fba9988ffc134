package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config delete KEY}. */
@Command(
    name = "delete",
    description = "Deletes one key (recorded in its history) and prints the scope's new version.")
final class ConfigDeleteCommand implements Callable<Integer> {
  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;
  @Mixin ConfigOptions.WriterOptions writer;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
  String key;

  @Mixin ConfigOptions.ExpectVersion expectVersion;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    ConfigKeys.check(key);
    ChangeOptions options = writer.options(expectVersion.expected());
    ConfigCommit commit;
    try (Pipekeeper pk = config.connectToWrite()) {
      commit = pk.config().delete(scope, key, options);
    }
    output.print(
        () -> Views.commit(commit),
        out -> out.printf("Deleted %s %s: scope version %d.%n", scope, key, commit.scopeVersion()));
    return ExitCodes.OK;
  }
}
