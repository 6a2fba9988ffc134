package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.kafka.KafkaClientSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
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

  /**
   * {@code --bootstrap-servers} and {@code --kafka-config}, for the commands that talk to Kafka.
   */
  static final class Kafka {
    @Option(
        names = "--bootstrap-servers",
        scope = ScopeType.INHERIT,
        paramLabel = "SERVERS",
        defaultValue = "127.0.0.1:9092",
        description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
        names = "--kafka-config",
        scope = ScopeType.INHERIT,
        paramLabel = "FILE",
        description =
            "Kafka client properties file (security.protocol, sasl.*, ssl.*; consumer./producer./"
                + "admin. prefixes for one kind of client) for the Kafka clients of status, monitor"
                + " and run; see docs/security.md. Passwords only in this file.")
    java.nio.file.Path kafkaConfig;

    /**
     * The client properties of {@code --kafka-config}, empty without one.
     *
     * @throws PipekeeperException (exit 1) in one line naming the file if it is missing or
     *     unreadable
     * @throws InvalidInputException (exit 2) if its {@code bootstrap.servers} are not those of
     *     {@code --bootstrap-servers}, which the command uses
     */
    Map<String, Object> clientProperties() {
      if (kafkaConfig == null) {
        return Map.of();
      }
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (NoSuchFileException e) {
        throw new PipekeeperException("Kafka client file " + kafkaConfig + " does not exist");
      } catch (IOException | IllegalArgumentException e) {
        throw new PipekeeperException(
            "Kafka client file "
                + kafkaConfig
                + " cannot be read: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      }
      Object servers = properties.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
      if (servers != null && !servers.toString().strip().equals(bootstrapServers)) {
        throw new InvalidInputException(
            "Kafka client file "
                + kafkaConfig
                + " says bootstrap.servers="
                + servers.toString().strip()
                + " but --bootstrap-servers is "
                + bootstrapServers
                + ": give the same servers, or leave them out of the file");
      }
      Map<String, Object> values = new TreeMap<>();
      properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
      return values;
    }

    /**
     * The bootstrap servers and the client properties of {@code --kafka-config}: what every Kafka
     * client of the command gets.
     *
     * @throws PipekeeperException (exit 1) as {@link #clientProperties()}
     * @throws InvalidInputException (exit 2) as {@link #clientProperties()}, or if the servers are
     *     not {@code host:port[,...]}
     */
    KafkaClientSettings settings() {
      return new KafkaClientSettings(bootstrapServers, clientProperties());
    }
  }
}
