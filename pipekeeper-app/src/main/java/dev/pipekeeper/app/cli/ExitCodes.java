package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.ErrorClass;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.embedded.EmbeddedServerException;
import org.apache.kafka.common.KafkaException;

/**
 * The one place where exceptions become exit codes and one-line messages: no stack trace for an
 * expected condition. Which exit code follows from the core's one classification, {@link
 * ErrorClass}.
 */
public final class ExitCodes {
  /** The command did what was asked. */
  public static final int OK = 0;

  /** It could not: a server was unreachable, or something it checked was not as required. */
  public static final int FAILED = 1;

  /** The command line or an input was wrong; nothing was done. */
  public static final int USAGE = 2;

  /** A bug: something no input should cause. The stack trace is printed. */
  public static final int INTERNAL = 70;

  private ExitCodes() {}

  /** The exit code of {@code error}: its {@link ErrorClass}, which the console's statuses share. */
  static int of(Throwable error) {
    if (error instanceof EmbeddedServerException) {
      return FAILED;
    }
    return switch (ErrorClass.of(error)) {
      case BAD_INPUT, NOT_FOUND -> USAGE;
      case CONFLICT, FORBIDDEN, UNREACHABLE, FAILED -> FAILED;
      case INTERNAL -> INTERNAL;
    };
  }

  /**
   * What {@code error} is reported as. A Kafka client's exception in a command that talks to the
   * Kafka at {@code bootstrapServers} (null for a command that talks to none) is a failure (exit 1)
   * that names the servers; anything else is reported as it is.
   */
  static Throwable reported(Throwable error, String bootstrapServers) {
    if (error instanceof KafkaException && bootstrapServers != null) {
      return new PipekeeperException(
          "Kafka at " + bootstrapServers + " refused or did not answer: " + error.getMessage(),
          error);
    }
    return error;
  }

  /** The line printed for {@code error}; only an unexpected error gets its stack trace. */
  static boolean isExpected(Throwable error) {
    return of(error) != INTERNAL;
  }
}
