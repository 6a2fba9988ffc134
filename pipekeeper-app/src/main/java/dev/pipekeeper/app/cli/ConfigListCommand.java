package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigListing;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config list}. */
@Command(
    name = "list",
    description = {
      "Lists a scope's keys with their values (secrets masked) and versions.",
      "Nodes written behind Pipekeeper's back that are no readable key (a name that is not a"
          + " config key, a value that is not valid JSON) are listed as skipped, one line each."
    })
final class ConfigListCommand implements Callable<Integer> {
  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;

  @Mixin JsonOutput output;

  private record Row(ConfigEntry entry, boolean secret) {}

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    int version;
    List<Row> rows = new ArrayList<>();
    ConfigListing listing;
    try (Pipekeeper pk = config.connect()) {
      Configuration configuration = pk.config();
      version = configuration.version(scope);
      listing = configuration.listing(scope);
      for (ConfigEntry entry : listing.entries()) {
        rows.add(new Row(entry, entry.secret()));
      }
    }
    output.print(
        () -> Views.configListing(scope, version, listing),
        out -> print(scope, version, rows, listing, out));
    return ExitCodes.OK;
  }

  private static void print(
      Scope scope, int version, List<Row> rows, ConfigListing listing, PrintWriter out) {
    if (rows.isEmpty()) {
      out.println("No configuration in scope " + scope + ".");
      printSkipped(out, scope, listing);
      return;
    }
    Table table = new Table("KEY", "VALUE", "VERSION", "MODIFIED");
    for (Row row : rows) {
      table.row(
          row.entry().key(),
          ConfigText.cell(ConfigText.value(row.entry().value(), row.secret())),
          row.entry().version(),
          ConfigText.when(row.entry().modifiedAt()));
    }
    table.print(out);
    out.printf(
        "Scope %s is at version %d (%d %s).%n",
        scope, version, rows.size(), rows.size() == 1 ? "key" : "keys");
    printSkipped(out, scope, listing);
  }

  private static void printSkipped(PrintWriter out, Scope scope, ConfigListing listing) {
    for (ConfigListing.Skipped node : listing.skipped()) {
      out.printf(
          "Skipped %s '%s': %s (written behind Pipekeeper's back).%n",
          scope, node.name(), node.reason());
    }
  }
}
