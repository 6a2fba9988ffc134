package dev.pipekeeper.console;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import java.nio.file.Path;
import java.util.Objects;

/** Settings for a {@link Console}; {@link #build()} makes one, not yet started. */
public final class ConsoleBuilder {
  /** How many recent events a reconnecting client can resume from, by default. */
  public static final int DEFAULT_EVENT_HISTORY = 1000;

  private final Pipekeeper pipekeeper;
  private String host = "127.0.0.1";
  private int port = 0;
  private int eventHistory = DEFAULT_EVENT_HISTORY;
  private OperatorTokens operators = OperatorTokens.none();
  private AuditFeed audit;

  ConsoleBuilder(Pipekeeper pipekeeper) {
    this.pipekeeper = Objects.requireNonNull(pipekeeper, "pipekeeper");
  }

  /**
   * The address to listen on (default {@code 127.0.0.1}, this machine only; {@code 0.0.0.0} for
   * every interface).
   */
  public ConsoleBuilder host(String host) {
    if (host == null || host.isBlank()) {
      throw new InvalidInputException("the console's host must not be empty");
    }
    this.host = host;
    return this;
  }

  /**
   * The port to listen on; 0 (the default) picks a free one, which {@link Console#port()} tells.
   *
   * @throws InvalidInputException if it is not 0 to 65535
   */
  public ConsoleBuilder port(int port) {
    if (port < 0 || port > 65535) {
      throw new InvalidInputException("the console's port must be 0 to 65535, not " + port);
    }
    this.port = port;
    return this;
  }

  /**
   * How many recent events are kept for clients that reconnect with {@code Last-Event-ID} (default
   * {@value #DEFAULT_EVENT_HISTORY}); one that missed more gets a {@code reset} event.
   *
   * @throws InvalidInputException if it is below 1
   */
  public ConsoleBuilder eventHistory(int events) {
    if (events < 1) {
      throw new InvalidInputException("the console's event history must be at least 1");
    }
    this.eventHistory = events;
    return this;
  }

  /**
   * Lets the operators listed in {@code file} with the writer role change the cluster (config set,
   * apply, rollback); without it the console is read-only. Each line is {@code NAME=TOKEN} (a
   * writer) or {@code NAME:ROLE=TOKEN} with {@code ROLE} {@code writer} or {@code reader} (every
   * change it asks for is refused); blank lines and lines starting with {@code #} are skipped. A
   * request names its operator with {@code Authorization: Bearer TOKEN}, and the change is recorded
   * under {@code NAME}; it is made with the console's own connection, so with ZooKeeper security
   * on, with that connection's credentials and ACL model. Tokens come only from a file, so they are
   * in no command line, URL or log. The file is read now.
   *
   * @throws InvalidInputException if it cannot be read, a line is not {@code NAME=TOKEN} or {@code
   *     NAME:ROLE=TOKEN}, a role is another, a name is malformed or repeated, a token is shorter
   *     than 16 characters or repeated, or it names no operator (the message never quotes a token)
   */
  public ConsoleBuilder operatorTokens(Path file) {
    this.operators = OperatorTokens.load(Objects.requireNonNull(file, "file"));
    return this;
  }

  /**
   * Serves the cluster's audit events from {@code feed}: pages at {@code GET .../audit}, and each
   * new one on the event stream as {@code audit}. The console starts following it when it starts
   * and closes it when it closes. Without it {@code .../audit} is 404.
   */
  public ConsoleBuilder audit(AuditFeed feed) {
    this.audit = Objects.requireNonNull(feed, "feed");
    return this;
  }

  /** A console with these settings, not started. */
  public Console build() {
    return new DefaultConsole(
        pipekeeper, new ConsoleSettings(host, port, eventHistory, operators, audit));
  }

  /** The immutable settings the console is built with. */
  record ConsoleSettings(
      String host, int port, int eventHistory, OperatorTokens operators, AuditFeed audit) {}
}
