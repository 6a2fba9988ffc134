package dev.pipekeeper.console;

import dev.pipekeeper.console.views.ViewJson;
import dev.pipekeeper.core.ErrorClass;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a failure is answered: {@code {"error": CLASS, "message": ...}} with the HTTP status of its
 * {@link ErrorClass}, the one classification the CLI's exit codes come from too.
 */
final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

  private Errors() {}

  /** The HTTP status of an error class. */
  static int status(ErrorClass error) {
    return switch (error) {
      case BAD_INPUT -> 400;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case UNREACHABLE -> 503;
      case FAILED, INTERNAL -> 500;
    };
  }

  /**
   * The error class of an HTTP status that no exception gave (Jetty's own refusals): the class
   * whose status it is, else bad input for a 4xx and internal for the rest.
   */
  static ErrorClass ofStatus(int status) {
    for (ErrorClass error : ErrorClass.values()) {
      if (status(error) == status && error != ErrorClass.FAILED) {
        return error;
      }
    }
    return status >= 400 && status < 500 ? ErrorClass.BAD_INPUT : ErrorClass.INTERNAL;
  }

  /** An error body: {@code {"error": LABEL, "message": MESSAGE}}. */
  static String body(String label, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", label);
    body.put("message", message);
    return ViewJson.write(body);
  }

  /** Answers {@code error}; only an unexpected one is logged with its stack trace. */
  static void answer(Throwable error, Context ctx) {
    ErrorClass kind = ErrorClass.of(error);
    String message = error.getMessage() == null ? error.toString() : error.getMessage();
    if (kind == ErrorClass.INTERNAL) {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), error);
      message = "internal error: " + message;
    }
    answer(ctx, status(kind), kind.label(), message);
  }

  /** Answers with an error body of the given status, class label and message. */
  static void answer(Context ctx, int status, String label, String message) {
    ctx.status(status).contentType("application/json").result(body(label, message));
  }
}
