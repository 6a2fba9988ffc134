package dev.pipekeeper.connect.source;

import dev.pipekeeper.connect.zookeeper.ZooKeeperConnection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.zookeeper.common.PathUtils;

/**
 * Every setting of {@link ZooKeeperSourceConnector}: its key, type, default, validator and doc (the
 * one home for them). A task gets the same settings with {@link #TASK_SUBTREES_CONFIG} naming the
 * subtrees it streams.
 */
public final class ZooKeeperSourceConfig extends AbstractConfig {
  private static final String GROUP = "ZooKeeper source";

  public static final String ZOOKEEPER_CONNECT_CONFIG =
      ZooKeeperConnection.ZOOKEEPER_CONNECT_CONFIG;

  public static final String SUBTREES_CONFIG = "zookeeper.subtrees";
  public static final String SUBTREES_DOC =
      "The subtrees to stream, a comma-separated list of absolute ZooKeeper paths (/a/b, no"
          + " trailing slash). Each is streamed with its root; a subtree that does not exist yet"
          + " is streamed once it is created. Subtrees must not overlap.";

  public static final String TOPIC_CONFIG = "topic";
  public static final String TOPIC_DOC =
      "The topic the change records go to, keyed by path (a compacted topic keeps the last"
          + " state of every node; a delete is followed by a tombstone).";

  public static final String VALUE_FORMAT_CONFIG = "value.format";
  public static final String VALUE_FORMAT_DOC =
      "How a node's data is put in the record's data field: bytes (as they are), string (UTF-8"
          + " text) or json (the data parsed as JSON and written back compactly as text; data"
          + " that is not JSON gives a null data field and a pipekeeper.data.error header).";
  public static final String VALUE_FORMAT_DEFAULT = "string";

  public static final String SESSION_TIMEOUT_CONFIG = ZooKeeperConnection.SESSION_TIMEOUT_CONFIG;
  public static final String CONNECTION_TIMEOUT_CONFIG =
      ZooKeeperConnection.CONNECTION_TIMEOUT_CONFIG;
  public static final String CLIENT_FILE_CONFIG = ZooKeeperConnection.CLIENT_FILE_CONFIG;

  /** Internal: the subtrees one task streams (set by the connector, not by users). */
  public static final String TASK_SUBTREES_CONFIG = "task.subtrees";

  /** How the data of a node becomes the record's data field. */
  public enum ValueFormat {
    BYTES,
    STRING,
    JSON;

    static ValueFormat parse(String text) {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    }
  }

  /** The definition of the connector's settings. */
  public static final ConfigDef CONFIG_DEF = connectorDef();

  private static final ConfigDef TASK_DEF =
      connectorDef()
          .define(
              TASK_SUBTREES_CONFIG,
              Type.LIST,
              ConfigDef.NO_DEFAULT_VALUE,
              new SubtreesValidator(),
              Importance.LOW,
              "The subtrees of this task (set by the connector).");

  /** The connector's settings from {@code props}. */
  public ZooKeeperSourceConfig(Map<String, String> props) {
    this(CONFIG_DEF, props);
  }

  private ZooKeeperSourceConfig(ConfigDef def, Map<String, String> props) {
    super(def, props);
  }

  /** A task's settings from {@code props}: the connector's and {@link #TASK_SUBTREES_CONFIG}. */
  static ZooKeeperSourceConfig forTask(Map<String, String> props) {
    return new ZooKeeperSourceConfig(TASK_DEF, props);
  }

  private static ConfigDef connectorDef() {
    int order = 0;
    ConfigDef def =
        ZooKeeperConnection.define(
            new ConfigDef(),
            GROUP,
            ++order,
            "Subtree paths are relative to the chroot.",
            "After a session expiry the task re-reads its subtrees and emits what it missed.",
            "The ACL model keys are read but unused (the source only reads).");
    order += ZooKeeperConnection.KEYS.size() - 1;
    return def.define(
            SUBTREES_CONFIG,
            Type.LIST,
            ConfigDef.NO_DEFAULT_VALUE,
            new SubtreesValidator(),
            Importance.HIGH,
            SUBTREES_DOC,
            GROUP,
            ++order,
            Width.LONG,
            "Subtrees")
        .define(
            TOPIC_CONFIG,
            Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            new ConfigDef.NonEmptyString(),
            Importance.HIGH,
            TOPIC_DOC,
            GROUP,
            ++order,
            Width.MEDIUM,
            "Topic")
        .define(
            VALUE_FORMAT_CONFIG,
            Type.STRING,
            VALUE_FORMAT_DEFAULT,
            ConfigDef.CaseInsensitiveValidString.in("bytes", "string", "json"),
            Importance.MEDIUM,
            VALUE_FORMAT_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Value format");
  }

  /** How the task reaches ZooKeeper. */
  public ZooKeeperConnection connection() {
    return ZooKeeperConnection.of(this);
  }

  public List<String> subtrees() {
    return getList(SUBTREES_CONFIG).stream().map(String::strip).toList();
  }

  /** The subtrees of a task. */
  List<String> taskSubtrees() {
    return getList(TASK_SUBTREES_CONFIG).stream().map(String::strip).toList();
  }

  public String topic() {
    return getString(TOPIC_CONFIG).strip();
  }

  public ValueFormat valueFormat() {
    return ValueFormat.parse(getString(VALUE_FORMAT_CONFIG));
  }

  /** Each entry an absolute ZooKeeper path, no trailing slash, no two overlapping. */
  static final class SubtreesValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (!(value instanceof List<?> list) || list.isEmpty()) {
        throw new ConfigException(name, value, "at least one subtree is needed");
      }
      List<String> paths = list.stream().map(o -> String.valueOf(o).strip()).toList();
      for (String path : paths) {
        if (!path.startsWith("/")) {
          throw new ConfigException(name, path, "a subtree must be an absolute path (/a/b)");
        }
        try {
          PathUtils.validatePath(path);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(name, path, e.getMessage());
        }
      }
      for (int i = 0; i < paths.size(); i++) {
        for (int j = 0; j < paths.size(); j++) {
          String a = paths.get(i);
          String b = paths.get(j);
          if (i != j && (a.equals(b) || a.equals("/") || b.startsWith(a + "/"))) {
            throw new ConfigException(
                name, value, "subtrees " + a + " and " + b + " overlap (or repeat)");
          }
        }
      }
    }

    @Override
    public String toString() {
      return "absolute ZooKeeper paths, not overlapping";
    }
  }
}
