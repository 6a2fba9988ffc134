package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    output.print(() -> json(scope, history, secret), out -> print(scope, history, secret, out));
    return ExitCodes.OK;
  }

  private Map<String, Object> json(Scope scope, List<HistoryEntry> history, boolean secret) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (HistoryEntry entry : history) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("sequence", entry.sequence());
      one.put("at", entry.at());
      one.put("who", entry.who());
      one.put("oldValue", ConfigText.json(entry.oldValue().orElse(null), secret));
      one.put("newValue", ConfigText.json(entry.newValue().orElse(null), secret));
      one.put("comment", entry.comment());
      one.put("scopeVersion", entry.scopeVersion());
      entries.add(one);
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("scope", scope.path());
    document.put("key", key);
    document.put("secret", secret);
    document.put("entries", entries);
    return document;
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
