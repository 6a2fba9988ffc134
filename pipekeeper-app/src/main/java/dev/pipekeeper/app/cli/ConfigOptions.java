package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/** Options the config commands share. */
final class ConfigOptions {
  private ConfigOptions() {}

  /** {@code --scope SCOPE}. */
  static final class ScopeOption {
    @Option(
        names = "--scope",
        paramLabel = "SCOPE",
        defaultValue = "global",
        description = "global, pipeline/NAME or member/ID (default: ${DEFAULT-VALUE}).")
    String scope;

    /**
     * The scope given.
     *
     * @throws InvalidInputException (exit 2) naming what is wrong with it
     */
    Scope parse() {
      return Scope.parse(scope);
    }
  }

  /** {@code --who NAME} and {@code --comment TEXT}, recorded in history. */
  static final class WriterOptions {
    @Option(
        names = "--who",
        paramLabel = "NAME",
        description = "Who makes the change, recorded in history (default: your user name).")
    String who;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why, recorded in history.")
    String comment;

    /** The change's options, writing whatever version the key or scope is at. */
    ChangeOptions options() {
      return options(OptionalInt.empty());
    }

    /** The change's options, writing only at the version {@code expected}, if any. */
    ChangeOptions options(OptionalInt expected) {
      String name = who != null ? who : System.getProperty("user.name");
      return new ChangeOptions(name, comment, expected);
    }
  }

  /**
   * {@code --expect-version N}: write only at that version. Whose version (the key's or the
   * scope's) each command says in its help ({@code OptionDescriptions.properties}).
   */
  static final class ExpectVersion {
    @Option(
        names = "--expect-version",
        paramLabel = "N",
        descriptionKey = "expect-version",
        description = "Write only at version N; else exit 1.")
    Integer version;

    /** Whether the option was given. */
    boolean isGiven() {
      return version != null;
    }

    /**
     * The version given, if any.
     *
     * @throws InvalidInputException (exit 2) if it is negative
     */
    OptionalInt expected() {
      if (version == null) {
        return OptionalInt.empty();
      }
      if (version < 0) {
        throw new InvalidInputException("--expect-version must be 0 or more, not " + version);
      }
      return OptionalInt.of(version);
    }
  }
}
