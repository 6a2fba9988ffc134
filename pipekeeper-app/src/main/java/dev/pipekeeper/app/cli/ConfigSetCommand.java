package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.InvalidInputException;
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

/** {@code pipekeeper config set KEY VALUE}. */
@Command(
    name = "set",
    description = {
      "Sets one key to a JSON value and prints the scope's new version.",
      "The value is checked against the key's schema. Strings need JSON quotes:"
          + " config set mode '\"fast\"'.",
      "--if-absent writes only if the key has no value (atomically: of several at once, one"
          + " writes)."
    })
final class ConfigSetCommand implements Callable<Integer> {
  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;
  @Mixin ConfigOptions.WriterOptions writer;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
  String key;

  @Parameters(
      index = "1",
      paramLabel = "VALUE",
      description = "A JSON value, e.g. 0.9, true, '\"text\"', '[1,2]', '{\"a\":1}'.")
  String value;

  @Mixin ConfigOptions.ExpectVersion expectVersion;

  @Option(
      names = "--if-absent",
      description = "Write only if the key has no value yet; if it has one, keep it (exit 0).")
  boolean ifAbsent;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    ConfigKeys.check(key);
    JsonNode parsed = ConfigInput.value(scope, key, value);
    if (ifAbsent && expectVersion.isGiven()) {
      throw new InvalidInputException(
          "--if-absent and --expect-version do not go together: --if-absent writes only while the"
              + " key is unset");
    }
    ChangeOptions options = writer.options(expectVersion.expected());
    ConfigCommit commit;
    try (Pipekeeper pk = config.connectToWrite()) {
      commit =
          Secrecy.of(pk.config(), scope)
              .guard(
                  scope,
                  List.of(key),
                  () ->
                      ifAbsent
                          ? pk.config().setIfAbsent(scope, key, parsed, options)
                          : pk.config().set(scope, key, parsed, options));
    }
    output.print(() -> Views.commit(commit), out -> print(scope, commit, out));
    return ExitCodes.OK;
  }

  private void print(Scope scope, ConfigCommit commit, PrintWriter out) {
    if (commit.keys().isEmpty() && ifAbsent) {
      out.printf(
          "%s %s already has a value; it was kept and nothing was written (scope version %d).%n",
          scope, key, commit.scopeVersion());
    } else if (commit.keys().isEmpty()) {
      out.printf(
          "%s %s already has this value; nothing was written (scope version %d).%n",
          scope, key, commit.scopeVersion());
    } else {
      out.printf("Set %s %s: scope version %d.%n", scope, key, commit.scopeVersion());
    }
  }
}
