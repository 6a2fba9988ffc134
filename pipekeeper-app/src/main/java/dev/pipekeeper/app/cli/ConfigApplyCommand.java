package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.Scope;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config apply -f FILE}. */
@Command(
    name = "apply",
    description = {
      "Sets and deletes several keys in one atomic change, from a file.",
      "The file (YAML or JSON) holds a flat map of key to value; null deletes the key. Either"
          + " all of it is written or nothing."
    })
final class ConfigApplyCommand implements Callable<Integer> {
  private final InputStream stdin;

  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;
  @Mixin ConfigOptions.WriterOptions writer;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      required = true,
      description =
          "YAML (.yaml, .yml) or JSON (.json); another name is read as JSON, else YAML;"
              + " - reads standard input.")
  String file;

  @Mixin ConfigOptions.ExpectVersion expectVersion;

  @Mixin JsonOutput output;

  ConfigApplyCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    ChangeOptions options = writer.options(expectVersion.expected());
    Map<String, JsonNode> changes = ConfigInput.changes(file, ConfigInput.document(file, stdin));
    ConfigCommit commit;
    try (Pipekeeper pk = config.connectToWrite()) {
      commit =
          Secrecy.of(pk.config(), scope)
              .guard(scope, changes.keySet(), () -> pk.config().apply(scope, changes, options));
    }
    output.print(() -> Views.commit(commit), out -> print(scope, changes, commit, out));
    return ExitCodes.OK;
  }

  private static void print(
      Scope scope, Map<String, JsonNode> changes, ConfigCommit commit, PrintWriter out) {
    if (commit.keys().isEmpty()) {
      out.printf(
          "Nothing to change in %s: every key already has the value given (scope version %d).%n",
          scope, commit.scopeVersion());
      return;
    }
    List<String> set = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    changes.keySet().stream()
        .sorted()
        .forEach(
            key -> {
              if (!commit.keys().contains(key)) {
                unchanged.add(key);
              } else if (changes.get(key) == null) {
                deleted.add(key);
              } else {
                set.add(key);
              }
            });
    StringBuilder line =
        new StringBuilder("Applied to ")
            .append(scope)
            .append(": scope version ")
            .append(commit.scopeVersion())
            .append('.');
    if (!set.isEmpty()) {
      line.append(" Set ").append(String.join(", ", set)).append('.');
    }
    if (!deleted.isEmpty()) {
      line.append(" Deleted ").append(String.join(", ", deleted)).append('.');
    }
    if (!unchanged.isEmpty()) {
      line.append(" Unchanged ").append(String.join(", ", unchanged)).append('.');
    }
    out.println(line);
  }
}
