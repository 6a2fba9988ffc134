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

    ChangeOptions options(Integer expectVersion) {
      String name = who != null ? who : System.getProperty("user.name");
      return new ChangeOptions(name, comment, expected(expectVersion));
    }
  }

  /**
   * The version {@code --expect-version} gave, if any.
   *
   * @throws InvalidInputException if it is negative
   */
  static OptionalInt expected(Integer expectVersion) {
    if (expectVersion == null) {
      return OptionalInt.empty();
    }
    if (expectVersion < 0) {
      throw new InvalidInputException("--expect-version must be 0 or more, not " + expectVersion);
    }
    return OptionalInt.of(expectVersion);
  }
}
