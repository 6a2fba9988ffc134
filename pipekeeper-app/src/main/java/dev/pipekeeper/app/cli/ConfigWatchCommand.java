package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigChange;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config watch}: one line per change batch until Ctrl-C. */
@Command(
    name = "watch",
    description = {
      "Prints one line per change of a live view, until Ctrl-C or SIGTERM.",
      "The view is of one scope or, with --pipeline (and --member), what a member sees. Each"
          + " line has the keys changed, old -> new, secrets masked."
    })
final class ConfigWatchCommand implements Callable<Integer> {
  private final ShutdownSignal shutdown;

  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;

  @Option(
      names = "--pipeline",
      paramLabel = "NAME",
      description = "Watch global resolved under this pipeline (instead of --scope).")
  String pipeline;

  @Option(
      names = "--member",
      paramLabel = "ID",
      description =
          "With --pipeline: watch what this member sees (member over pipeline over global).")
  String member;

  @Mixin JsonOutput output;

  private final Object printing = new Object();

  ConfigWatchCommand(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  @Override
  public Integer call() throws InterruptedException {
    try {
      List<Scope> scopes = scopes();
      try (Pipekeeper pk = config.connect();
          ConfigView view = pk.config().view(scopes)) {
        Secrecy secrecy = Secrecy.across(pk.config(), scopes);
        synchronized (printing) {
          view.onBatch(batch -> print(scopes, secrecy, batch));
          String header =
              "Watching "
                  + describe(scopes)
                  + " at "
                  + versions(scopes, view.appliedVersions())
                  + " ("
                  + view.values().size()
                  + (view.values().size() == 1 ? " key" : " keys")
                  + "). Press Ctrl-C to stop.";
          // In --json mode standard output carries only the JSON lines.
          PrintWriter stream = output.notes();
          stream.println(header);
          stream.flush();
        }
        shutdown.awaitRequest();
      }
    } finally {
      spec.commandLine().getOut().flush();
      shutdown.finished();
    }
    return ExitCodes.OK;
  }

  private List<Scope> scopes() {
    if (pipeline == null && member == null) {
      return List.of(scopeOption.parse());
    }
    if (spec.commandLine().getParseResult().hasMatchedOption("--scope")) {
      throw new InvalidInputException("give either --scope or --pipeline and --member, not both");
    }
    if (pipeline == null) {
      throw new InvalidInputException(
          "--member needs --pipeline: a member sees member over pipeline over global");
    }
    List<Scope> scopes = new ArrayList<>();
    scopes.add(Scope.global());
    scopes.add(Scope.pipeline(pipeline));
    if (member != null) {
      scopes.add(Scope.member(member));
    }
    return scopes;
  }

  private String describe(List<Scope> scopes) {
    if (member != null) {
      return "member " + member + " of pipeline " + pipeline;
    }
    if (pipeline != null) {
      return "pipeline " + pipeline + " (over global)";
    }
    return "scope " + scopes.get(0);
  }

  private static String versions(List<Scope> scopes, Map<Scope, Integer> versions) {
    return scopes.stream()
        .map(scope -> scope + "=" + versions.getOrDefault(scope, 0))
        .collect(Collectors.joining(" "));
  }

  /** On the view's thread. */
  private void print(List<Scope> scopes, Secrecy secrecy, ConfigChange batch) {
    Instant at = Instant.now();
    Map<String, ConfigChange.ValueChange> changes = new TreeMap<>(batch.changes());
    Map<String, Boolean> secret = new TreeMap<>();
    changes.keySet().forEach(key -> secret.put(key, secrecy.isSecretNow(key)));
    String line =
        output.line(
            () -> json(scopes, batch, at, changes, secret),
            () ->
                ConfigText.when(at)
                    + "  "
                    + versions(scopes, batch.versions())
                    + "  "
                    + changes.entrySet().stream()
                        .map(
                            e ->
                                e.getKey()
                                    + ": "
                                    + text(
                                        e.getValue().oldValue().orElse(null),
                                        secret.get(e.getKey()))
                                    + " -> "
                                    + text(
                                        e.getValue().newValue().orElse(null),
                                        secret.get(e.getKey())))
                        .collect(Collectors.joining("; ")));
    synchronized (printing) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(line);
      out.flush();
    }
  }

  private static Map<String, Object> json(
      List<Scope> scopes,
      ConfigChange batch,
      Instant at,
      Map<String, ConfigChange.ValueChange> changes,
      Map<String, Boolean> secret) {
    Map<String, Object> keys = new LinkedHashMap<>();
    changes.forEach(
        (key, change) -> {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("old", Views.value(change.oldValue().orElse(null), secret.get(key)));
          one.put("new", Views.value(change.newValue().orElse(null), secret.get(key)));
          one.put("secret", secret.get(key));
          keys.put(key, one);
        });
    Map<String, Integer> versions = new LinkedHashMap<>();
    scopes.forEach(scope -> versions.put(scope.path(), batch.versions().getOrDefault(scope, 0)));
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("at", at);
    document.put("versions", versions);
    document.put("changes", keys);
    return document;
  }

  private static String text(JsonNode value, boolean secret) {
    return value == null ? "(unset)" : ConfigText.value(value, secret);
  }
}
