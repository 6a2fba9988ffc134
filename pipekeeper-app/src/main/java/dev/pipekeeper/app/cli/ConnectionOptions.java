package dev.pipekeeper.app.cli;

import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options that name the servers a command talks to, as mixins of the top-level command: every
 * command inherits them (before or after its name), but {@code local} and {@code demo}, which start
 * their own servers and have them removed ({@link Cli}). Their defaults come from environment
 * variables ({@link EnvironmentDefaults}).
 */
final class ConnectionOptions {
  private ConnectionOptions() {}

  /**
   * {@code --zk}, {@code --cluster}, {@code --connect-timeout} and {@code --zk-config}: what {@link
   * Connections} opens.
   */
  static final class ZooKeeper {
    @Option(
        names = "--zk",
        scope = ScopeType.INHERIT,
        paramLabel = "CONNECT",
        defaultValue = "127.0.0.1:2181",
        description = "ZooKeeper connect string (default: ${DEFAULT-VALUE}).")
    String connectString;

    @Option(
        names = "--cluster",
        scope = ScopeType.INHERIT,
        paramLabel = "NAME",
        defaultValue = "default",
        description =
            "Pipekeeper cluster: its data lives under /pipekeeper/NAME (default:"
                + " ${DEFAULT-VALUE}).")
    String cluster;

    @Option(
        names = "--connect-timeout",
        scope = ScopeType.INHERIT,
        paramLabel = "DURATION",
        defaultValue = "5s",
        converter = DurationConverter.Positive.class,
        description =
            "How long to wait for a server to answer, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(
        names = "--zk-config",
        scope = ScopeType.INHERIT,
        paramLabel = "FILE",
        description =
            "ZooKeeper client properties file: credentials (digest=USER:PASSWORD) and the ACL"
                + " model (acl.admins=..., acl.writers=..., acl.readers=...,"
                + " acl.secretReaders=...); see docs/security.md. Passwords only in this file.")
    java.nio.file.Path zkConfig;
  }

  /** {@code --bootstrap-servers}, for the commands that talk to Kafka. */
  static final class Kafka {
    @Option(
        names = "--bootstrap-servers",
        scope = ScopeType.INHERIT,
        paramLabel = "SERVERS",
        defaultValue = "127.0.0.1:9092",
        description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;
  }
}
