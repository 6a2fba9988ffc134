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
import picocli.CommandLine.Option;
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

  @Option(names = "--json", description = "Print the history as JSON.")
  boolean json;

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
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<Map<String, Object>> entries = new ArrayList<>();
      for (HistoryEntry entry : history) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sequence", entry.sequence());
        json.put("at", entry.at());
        json.put("who", entry.who());
        json.put("oldValue", ConfigText.json(entry.oldValue().orElse(null), secret));
        json.put("newValue", ConfigText.json(entry.newValue().orElse(null), secret));
        json.put("comment", entry.comment());
        json.put("scopeVersion", entry.scopeVersion());
        entries.add(json);
      }
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("scope", scope.path());
      document.put("key", key);
      document.put("secret", secret);
      document.put("entries", entries);
      out.println(Json.write(document));
      return ExitCodes.OK;
    }
    if (history.isEmpty()) {
      out.println("No history for " + scope + " " + key + ".");
      return ExitCodes.OK;
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
    return ExitCodes.OK;
  }
}
