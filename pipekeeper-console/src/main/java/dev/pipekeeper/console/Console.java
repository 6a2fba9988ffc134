package dev.pipekeeper.console;

import dev.pipekeeper.core.Pipekeeper;
import java.net.URI;

/**
 * The operator console of one Pipekeeper connection: a web page at {@code /}, a REST API under
 * {@code /api/v1}, its OpenAPI document at {@code /api/openapi.json}, and a stream of server-sent
 * events at {@code /api/v1/events} fed by the watches the connection holds. Read-only unless built
 * with {@link ConsoleBuilder#operatorTokens}: then operators change config (set, apply, rollback)
 * through the connection, with a bearer token. See docs/console.md.
 * <!-- example-context: Pipekeeper pk -->
 *
 * <pre>{@code
 * import dev.pipekeeper.console.Console;
 *
 * try (Console console = Console.builder(pk).port(8080).build().start()) {
 *   System.out.println("console at " + console.url());
 * }
 * }</pre>
 *
 * <p>Thread-safe. It does not own the connection: closing the console leaves {@code pk} open, and
 * closing {@code pk} first makes every data endpoint answer 503 until the console is closed. While
 * ZooKeeper does not answer, the data endpoints answer 503 with a JSON error and the server keeps
 * serving.
 */
public interface Console extends AutoCloseable {

  /** Settings for a console over {@code pipekeeper}, a connection already built. */
  static ConsoleBuilder builder(Pipekeeper pipekeeper) {
    return new ConsoleBuilder(pipekeeper);
  }

  /** Lifecycle: LATENT → STARTED → CLOSED; a console is started once. */
  enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  /**
   * Binds the port and starts serving and watching. Returns once the server accepts connections.
   * Safe twice (the second call does nothing).
   *
   * @throws IllegalStateException if it was closed
   * @throws dev.pipekeeper.core.PipekeeperException if the port cannot be bound
   */
  Console start();

  /**
   * The port it listens on (the one chosen when built with port 0).
   *
   * @throws IllegalStateException if it is not started
   */
  int port();

  /** Its base URL, e.g. {@code http://127.0.0.1:8080/}. */
  URI url();

  /** Where it is in its lifecycle. */
  State state();

  /** Stops serving (open event streams end) and closes its watches. Safe twice. */
  @Override
  void close();
}
