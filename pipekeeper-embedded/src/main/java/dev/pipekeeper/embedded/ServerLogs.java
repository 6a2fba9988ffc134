package dev.pipekeeper.embedded;

import dev.pipekeeper.embedded.internal.QuietLogging;
import java.nio.file.Path;

/**
 * Where the embedded servers' own log goes. A broker logs conditions it handles itself at ERROR
 * (Kafka 4's transactions report a retriable {@code OutOfOrderSequenceException} so): in a program
 * that runs the servers beside its own work, as the demo does, they belong in a file.
 */
public final class ServerLogs {
  /** Undoes {@link #toFile}; closing twice is fine. */
  public interface Redirect extends AutoCloseable {
    @Override
    void close();
  }

  private ServerLogs() {}

  /**
   * From now until the returned redirect is closed, the servers' own loggers (Kafka broker and
   * controller, ZooKeeper server) write WARN and above to {@code file}, appended, and no longer to
   * the application's appenders. Logback only: with another SLF4J backend this does nothing.
   * Loggers the servers share with clients in the same JVM ({@code
   * org.apache.kafka.clients.NetworkClient}, {@code org.apache.kafka.common.network}) go to the
   * file too.
   *
   * @throws EmbeddedServerException if the file cannot be opened
   */
  public static Redirect toFile(Path file) {
    return QuietLogging.toFile(file)::run;
  }
}
