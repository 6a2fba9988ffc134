package dev.pipekeeper.kafka.monitor;

/** One line that says why a Kafka call failed, for reports and logs (never a stack trace). */
final class Reasons {
  private Reasons() {}

  static String of(Throwable error) {
    String message = error.getMessage();
    String name = error.getClass().getSimpleName();
    if (message == null || message.isBlank()) {
      return name;
    }
    String line = message.strip().lines().findFirst().orElse(message);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /**
   * The message of the innermost cause, e.g. a client's {@code No resolvable bootstrap urls} under
   * its {@code Failed to create new KafkaAdminClient}.
   */
  static String root(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
