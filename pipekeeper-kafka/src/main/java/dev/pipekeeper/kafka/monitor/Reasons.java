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
}
