package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.NotFoundException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config get KEY}. */
@Command(
    name = "get",
    description = {
      "Prints a key's value in one scope (masked if secret) and its version.",
      "A value that is not valid JSON (written behind Pipekeeper's back) is not printed: exit 1."
    })
final class ConfigGetCommand implements Callable<Integer> {
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
    ConfigEntry entry;
    boolean secret;
    try (Pipekeeper pk = config.connect()) {
      entry =
          pk.config()
              .get(scope, key)
              .orElseThrow(() -> new NotFoundException("config " + scope + " has no key " + key));
      secret = entry.secret();
    }
    output.print(
        () -> Views.configEntry(scope, key, entry),
        out ->
            out.printf(
                "%s %s = %s  (version %d, modified %s)%n",
                scope,
                key,
                ConfigText.value(entry.value(), secret),
                entry.version(),
                ConfigText.when(entry.modifiedAt())));
    return ExitCodes.OK;
  }
}
