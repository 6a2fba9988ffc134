package dev.pipekeeper.connect.zookeeper;

import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.ensemble.ZkConnectString;
import dev.pipekeeper.core.security.AclModel;
import dev.pipekeeper.core.security.ZooKeeperClientFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * How a connector reaches ZooKeeper: the connect string, the session and connection timeouts and
 * the ZooKeeper client file, the settings every connector of this module shares. {@link #define}
 * declares them (the one home of their keys, defaults, validators and docs); {@link #of} reads them
 * back; {@link ZooKeeperClients} builds a client from them.
 *
 * @param connectString {@code host:port[,host:port...][/chroot]}
 * @param sessionTimeout the session timeout asked for
 * @param connectionTimeout how long a first connection is waited for
 * @param clientFile the TLS settings, digest credentials and ACL model of the client file, if any
 */
public record ZooKeeperConnection(
    String connectString,
    Duration sessionTimeout,
    Duration connectionTimeout,
    Optional<ZooKeeperClientFile> clientFile) {

  public static final String ZOOKEEPER_CONNECT_CONFIG = "zookeeper.connect";
  public static final String ZOOKEEPER_CONNECT_DOC =
      "The ZooKeeper connect string, host:port[,host:port...][/chroot]. Paths are relative to the"
          + " chroot.";

  public static final String SESSION_TIMEOUT_CONFIG = "zookeeper.session.timeout.ms";
  public static final String SESSION_TIMEOUT_DOC =
      "The ZooKeeper session timeout asked for, in milliseconds (the servers bound it to 2 to 20"
          + " ticks).";
  public static final int SESSION_TIMEOUT_DEFAULT = 30_000;

  public static final String CONNECTION_TIMEOUT_CONFIG = "zookeeper.connection.timeout.ms";
  public static final String CONNECTION_TIMEOUT_DOC =
      "How long validation and a task's start wait for a first connection, in milliseconds.";
  public static final int CONNECTION_TIMEOUT_DEFAULT = 15_000;

  public static final String CLIENT_FILE_CONFIG = "zookeeper.client.file";

  /** The keys {@link #define} declares, in order. */
  public static final List<String> KEYS =
      List.of(
          ZOOKEEPER_CONNECT_CONFIG,
          SESSION_TIMEOUT_CONFIG,
          CONNECTION_TIMEOUT_CONFIG,
          CLIENT_FILE_CONFIG);

  private static final ConfigDef ALONE = define(new ConfigDef(), "ZooKeeper", 0, "", "", "");

  /**
   * Declares the connection settings in {@code def}.
   *
   * @param group the settings' group
   * @param order the order the first one gets (the others follow)
   * @param sessionTimeoutDoc what a session expiry means to this connector, appended to the doc
   * @param clientFileDoc what this connector does with the client file, appended to the doc
   * @param connectDoc what paths mean to this connector, appended to the doc
   * @return {@code def}
   */
  public static ConfigDef define(
      ConfigDef def,
      String group,
      int order,
      String connectDoc,
      String sessionTimeoutDoc,
      String clientFileDoc) {
    return def.define(
            ZOOKEEPER_CONNECT_CONFIG,
            Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            new ConnectStringValidator(),
            Importance.HIGH,
            join(ZOOKEEPER_CONNECT_DOC, connectDoc),
            group,
            order,
            Width.LONG,
            "ZooKeeper connect string")
        .define(
            SESSION_TIMEOUT_CONFIG,
            Type.INT,
            SESSION_TIMEOUT_DEFAULT,
            ConfigDef.Range.between(1_000, 3_600_000),
            Importance.MEDIUM,
            join(SESSION_TIMEOUT_DOC, sessionTimeoutDoc),
            group,
            order + 1,
            Width.SHORT,
            "Session timeout (ms)")
        .define(
            CONNECTION_TIMEOUT_CONFIG,
            Type.INT,
            CONNECTION_TIMEOUT_DEFAULT,
            ConfigDef.Range.between(100, 600_000),
            Importance.LOW,
            CONNECTION_TIMEOUT_DOC,
            group,
            order + 2,
            Width.SHORT,
            "Connection timeout (ms)")
        .define(
            CLIENT_FILE_CONFIG,
            Type.STRING,
            "",
            new ClientFileValidator(),
            Importance.MEDIUM,
            join(
                "A ZooKeeper client properties file (the one the pipekeeper CLI's --zk-config"
                    + " reads): TLS and digest credentials. Empty for a plaintext connection"
                    + " without credentials. SASL keys are refused for now.",
                clientFileDoc),
            group,
            order + 3,
            Width.LONG,
            "ZooKeeper client file");
  }

  private static String join(String doc, String more) {
    return more.isEmpty() ? doc : doc + " " + more;
  }

  /** The connection settings of a config whose definition has them ({@link #define}). */
  public static ZooKeeperConnection of(AbstractConfig config) {
    String file = config.getString(CLIENT_FILE_CONFIG).strip();
    return new ZooKeeperConnection(
        config.getString(ZOOKEEPER_CONNECT_CONFIG).strip(),
        Duration.ofMillis(config.getInt(SESSION_TIMEOUT_CONFIG)),
        Duration.ofMillis(config.getInt(CONNECTION_TIMEOUT_CONFIG)),
        file.isEmpty() ? Optional.empty() : Optional.of(loadClientFile(CLIENT_FILE_CONFIG, file)));
  }

  /**
   * The ACL of every node a connector creates, by the rule of Pipekeeper's own connections: the
   * client file's ACL model ({@code acl.*}) if it has one; else, with digest credentials, readable
   * and writable by their creator only; else open (ZooKeeper's {@code world:anyone}).
   */
  public List<ACL> nodeAcl() {
    Optional<AclModel> model = clientFile.flatMap(ZooKeeperClientFile::acls);
    if (model.isPresent()) {
      return model.get().nodeAcl();
    }
    boolean authenticated = clientFile.flatMap(ZooKeeperClientFile::digestCredentials).isPresent();
    return authenticated ? ZooDefs.Ids.CREATOR_ALL_ACL : ZooDefs.Ids.OPEN_ACL_UNSAFE;
  }

  /**
   * Adds to {@code result} (a connector's {@code validate}) the connection's problem, if its
   * settings are valid but no server answers within the connection timeout: an error of {@value
   * #ZOOKEEPER_CONNECT_CONFIG}.
   */
  public static void checkReachable(Config result, Map<String, String> props) {
    Map<String, ConfigValue> values = new HashMap<>();
    result.configValues().forEach(v -> values.put(v.name(), v));
    boolean connectable =
        KEYS.stream()
            .allMatch(k -> values.get(k) != null && values.get(k).errorMessages().isEmpty());
    if (connectable) {
      // only the connection's settings: the others may be wrong, they do not matter here
      ZooKeeperConnection connection = of(new AbstractConfig(ALONE, props, false));
      String problem = ZooKeeperClients.checkReachable(connection);
      if (problem != null) {
        values.get(ZOOKEEPER_CONNECT_CONFIG).addErrorMessage(problem);
      }
    }
  }

  static ZooKeeperClientFile loadClientFile(String key, String file) {
    ZooKeeperClientFile loaded;
    try {
      loaded = ZooKeeperClientFile.load(Path.of(file));
    } catch (PipekeeperException e) {
      throw new ConfigException(key, file, e.getMessage());
    }
    if (loaded.security().flatMap(s -> s.saslUser()).isPresent()) {
      throw new ConfigException(
          key, file, "SASL is not supported by the connector yet (TLS and digest are)");
    }
    return loaded;
  }

  static final class ConnectStringValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      try {
        ZkConnectString.parse(value == null ? null : value.toString());
      } catch (PipekeeperException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "host:port[,host:port...][/chroot]";
    }
  }

  static final class ClientFileValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String file = value == null ? "" : value.toString().strip();
      if (!file.isEmpty()) {
        loadClientFile(name, file);
      }
    }

    @Override
    public String toString() {
      return "empty, or a readable ZooKeeper client properties file";
    }
  }
}
