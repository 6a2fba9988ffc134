package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config schema}: the JSON Schema a key's values must satisfy. */
@Command(
    name = "schema",
    description = {
      "Reads, sets and deletes the JSON Schema a key's values must satisfy.",
      "JSON Schema draft 2020-12, per scope. \"writeOnly\": true makes the key secret: its"
          + " values are masked in all output."
    },
    subcommands = {
      ConfigSchemaCommand.Get.class,
      ConfigSchemaCommand.Set.class,
      ConfigSchemaCommand.Delete.class
    })
final class ConfigSchemaCommand implements Runnable {
  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: say which one to run");
  }

  /** {@code pipekeeper config schema get KEY}. */
  @Command(name = "get", description = "Prints a key's schema as JSON.")
  static final class Get implements Callable<Integer> {
    @ParentCommand ConfigSchemaCommand schema;
    @Spec CommandSpec spec;
    @Mixin ConfigOptions.ScopeOption scopeOption;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
    String key;

    @Override
    public Integer call() {
      Scope scope = scopeOption.parse();
      ConfigKeys.check(key);
      JsonNode found;
      try (Pipekeeper pk = schema.config.connect()) {
        found = pk.config().schema(scope, key).orElseThrow(() -> noSchema(scope, key));
      }
      spec.commandLine().getOut().println(Json.write(found));
      return ExitCodes.OK;
    }
  }

  /** {@code pipekeeper config schema set KEY FILE} (or {@code -f FILE}). */
  @Command(
      name = "set",
      description = {
        "Sets a key's schema from a JSON or YAML file: config schema set KEY FILE, or -f FILE.",
        "Refused if it is not a valid schema or the key's current value does not satisfy it."
      })
  static final class Set implements Callable<Integer> {
    private final InputStream stdin;

    @ParentCommand ConfigSchemaCommand schema;
    @Spec CommandSpec spec;
    @Mixin ConfigOptions.ScopeOption scopeOption;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
    String key;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "SCHEMA_FILE",
        description = "The schema, JSON or YAML; - reads standard input.")
    String positionalFile;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "SCHEMA_FILE",
        description = "The schema file, as an option instead (same as SCHEMA_FILE).")
    String file;

    Set(InputStream stdin) {
      this.stdin = stdin;
    }

    @Override
    public Integer call() {
      Scope scope = scopeOption.parse();
      ConfigKeys.check(key);
      if ((file == null) == (positionalFile == null)) {
        throw new InvalidInputException(
            file == null
                ? "config schema set needs the schema file: config schema set KEY SCHEMA_FILE (or"
                    + " -f SCHEMA_FILE)"
                : "config schema set takes the schema file once: as SCHEMA_FILE or with -f, not"
                    + " both");
      }
      JsonNode document = ConfigInput.document(file != null ? file : positionalFile, stdin);
      try (Pipekeeper pk = schema.config.connectToWrite()) {
        // The current value is checked against the new schema: keep its details out of the
        // message if the key is or becomes secret.
        boolean secret = Secrets.isSecret(document);
        try {
          pk.config().setSchema(scope, key, document);
        } catch (InvalidInputException refused) {
          if (secret || Secrecy.of(pk.config(), scope).isSecretNow(key)) {
            String message = String.valueOf(refused.getMessage());
            int details = message.indexOf("the current value does not match it");
            if (details >= 0) {
              throw new InvalidInputException(
                  message.substring(0, details)
                      + "the current value does not match it (details are not shown: the key is"
                      + " secret)");
            }
          }
          throw refused;
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "Schema of %s %s set%s.%n",
          scope, key, Secrets.isSecret(document) ? "; its values are secret and masked" : "");
      return ExitCodes.OK;
    }
  }

  /** {@code pipekeeper config schema delete KEY [--reveal]}. */
  @Command(
      name = "delete",
      description = {
        "Deletes a key's schema: any JSON value is accepted.",
        "A key a writeOnly schema made secret stays secret, in every scope and in its history;"
            + " --reveal ends that on purpose, recorded in the key's history."
      })
  static final class Delete implements Callable<Integer> {
    @ParentCommand ConfigSchemaCommand schema;
    @Spec CommandSpec spec;
    @Mixin ConfigOptions.ScopeOption scopeOption;
    @Mixin ConfigOptions.WriterOptions writer;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
    String key;

    @Option(
        names = "--reveal",
        description =
            "Also end the key's secrecy: its values and history are shown in clear from then on."
                + " Refused while a writeOnly schema marks it in another scope. --who and"
                + " --comment are recorded with it.")
    boolean reveal;

    @Override
    public Integer call() {
      Scope scope = scopeOption.parse();
      ConfigKeys.check(key);
      PrintWriter out = spec.commandLine().getOut();
      try (Pipekeeper pk = schema.config.connectToWrite()) {
        boolean hasSchema = pk.config().schema(scope, key).isPresent();
        if (!hasSchema && !(reveal && pk.config().isSecret(scope, key))) {
          throw noSchema(scope, key);
        }
        if (hasSchema) {
          pk.config().deleteSchema(scope, key);
        }
        if (!reveal) {
          out.printf(
              "Schema of %s %s deleted%s.%n",
              scope,
              key,
              pk.config().isSecret(scope, key)
                  ? "; the key stays secret (end that with --reveal)"
                  : "");
          return ExitCodes.OK;
        }
        ConfigCommit commit;
        try {
          commit = pk.config().reveal(scope, key, writer.options());
        } catch (InvalidInputException refused) {
          if (!hasSchema) {
            throw refused;
          }
          // the schema is gone already: not an input refused with nothing done
          throw new PipekeeperException(
              "schema of " + scope + " " + key + " deleted, but " + refused.getMessage());
        }
        out.printf(
            "%s is no longer secret: its values and history are shown in clear (recorded in the"
                + " history of %s %s, scope version %d).%n",
            key, scope, key, commit.scopeVersion());
      }
      return ExitCodes.OK;
    }
  }

  private static InvalidInputException noSchema(Scope scope, String key) {
    return new InvalidInputException("config " + scope + " has no schema for " + key);
  }
}
