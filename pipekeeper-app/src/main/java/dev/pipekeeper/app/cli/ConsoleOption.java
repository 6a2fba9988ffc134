package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.AuditFeed;
import dev.pipekeeper.console.Console;
import dev.pipekeeper.console.ConsoleBuilder;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.KafkaClientSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --console-port}, {@code --console-host}, {@code --operator-tokens} and {@code
 * --console-audit-topic}, for the long-running commands that serve the console on their own
 * connection (as {@code pipekeeper console} does on one of its own).
 */
final class ConsoleOption {
  @Option(
      names = "--console-port",
      paramLabel = "N",
      description =
          "Serve the console (web page, REST API, live events) of this process's connection on"
              + " port N (0 picks a free one; default: no console). See docs/console.md.")
  Integer port;

  @Option(
      names = "--console-host",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "The address the console listens on; 0.0.0.0 for every interface (default:"
              + " ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--operator-tokens",
      paramLabel = "FILE",
      description =
          "With --console-port: lets the operators in FILE change config from the console, as"
              + " pipekeeper console --operator-tokens does. Without it the console is read-only.")
  Path operatorTokens;

  @Option(
      names = "--console-audit-topic",
      paramLabel = "TOPIC",
      description =
          "With --console-port: serves the cluster's audit events from TOPIC (what 'pipekeeper"
              + " audit' writes), read with --bootstrap-servers and --kafka-config, as pipekeeper"
              + " console --audit-topic does. Default: no audit feed.")
  String auditTopic;

  private AuditFeed audit;

  /**
   * Checks the options before anything starts.
   *
   * @throws InvalidInputException (exit 2) if the port is no port, or tokens or an audit topic come
   *     without a port
   */
  void check() {
    if (port != null && (port < 0 || port > 65535)) {
      throw new InvalidInputException("--console-port must be between 0 and 65535, not " + port);
    }
    if (port == null && operatorTokens != null) {
      throw new InvalidInputException("--operator-tokens needs --console-port");
    }
    if (port == null && auditTopic != null) {
      throw new InvalidInputException("--console-audit-topic needs --console-port");
    }
  }

  /**
   * Starts the console over {@code pk} if one was asked for, with the audit feed of {@code kafka}'s
   * consumer if {@code --console-audit-topic} names one.
   *
   * @return the started console, or null if none was asked for
   * @throws InvalidInputException (exit 2) if the host is empty or the token file is refused (the
   *     message never quotes a token)
   */
  Console start(Pipekeeper pk, KafkaClientSettings kafka) {
    if (port == null) {
      return null;
    }
    audit = auditTopic == null ? null : new KafkaAuditFeed(kafka.consumer(), auditTopic);
    return start(pk, port, host, operatorTokens, audit);
  }

  /** Whether operators may change config from the console, and where audit comes from. */
  String access() {
    return access(operatorTokens) + (audit == null ? "" : "; audit from " + audit.source());
  }

  /**
   * A started console over {@code pk}: the one way both {@code pipekeeper console} and the
   * embedding commands build it, so their options mean the same. {@code audit}: the audit feed, or
   * null for none (closed with the console, and here if the console is refused).
   */
  static Console start(Pipekeeper pk, int port, String host, Path operatorTokens, AuditFeed audit) {
    try {
      ConsoleBuilder builder = Console.builder(pk).port(port).host(host);
      if (operatorTokens != null) {
        builder.operatorTokens(operatorTokens);
      }
      if (audit != null) {
        builder.audit(audit);
      }
      return builder.build().start();
    } catch (RuntimeException refused) {
      if (audit != null) {
        audit.close();
      }
      throw refused;
    }
  }

  static String access(Path operatorTokens) {
    return operatorTokens == null ? "read-only" : "operators may change config";
  }
}
