package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config history KEY}. */
@Command(
    name = "history",
    description = {
      "Lists a key's recorded changes, oldest first.",
      "Each with who, when, the old and new value (secrets masked, past values included, until"
          + " the key is revealed: see config schema delete --reveal) and the comment. SEQ is"
          + " the number diff and rollback take."
    })
final class ConfigHistoryCommand implements Callable<Integer> {
  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
  String key;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    ConfigKeys.check(key);
    List<HistoryEntry> history;
    boolean secret;
    try (Pipekeeper pk = config.connect()) {
      history = pk.config().history(scope, key);
      secret = Secrecy.of(pk.config(), scope).isSecret(key);
    }
    output.print(
        () -> Views.configHistory(scope, key, history, secret),
        out -> print(scope, history, secret, out));
    return ExitCodes.OK;
  }

  private void print(Scope scope, List<HistoryEntry> history, boolean secret, PrintWriter out) {
    if (history.isEmpty()) {
      out.println("No history for " + scope + " " + key + ".");
      return;
    }
    Table table = new Table("SEQ", "WHEN", "WHO", "OLD", "NEW", "COMMENT");
    for (HistoryEntry entry : history) {
      table.row(
          entry.sequence(),
          ConfigText.when(entry.at()),
          entry.who(),
          ConfigText.cell(ConfigText.value(entry.oldValue().orElse(null), secret)),
          entry.newValue().isEmpty()
              ? "(deleted)"
              : ConfigText.cell(ConfigText.value(entry.newValue().get(), secret)),
          entry.comment().isEmpty() ? "-" : entry.comment());
    }
    table.print(out);
  }
}
