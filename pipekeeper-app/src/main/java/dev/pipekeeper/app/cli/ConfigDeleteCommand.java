package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @Option(
      names = "--expect-version",
      paramLabel = "N",
      description = "Delete only if the key is at version N (as config get shows); else exit 1.")
  Integer expectVersion;

  @Option(names = "--json", description = "Print the change written as JSON.")
  boolean json;

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    ConfigKeys.check(key);
    ChangeOptions options = writer.options(expectVersion);
    ConfigCommit commit;
    try (Pipekeeper pk = config.connectToWrite()) {
      commit = pk.config().delete(scope, key, options);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(ConfigText.commit(commit)));
    } else {
      out.printf("Deleted %s %s: scope version %d.%n", scope, key, commit.scopeVersion());
    }
    return ExitCodes.OK;
  }
}
