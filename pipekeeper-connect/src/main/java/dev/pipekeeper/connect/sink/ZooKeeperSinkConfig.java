package dev.pipekeeper.connect.sink;

import dev.pipekeeper.connect.ClassLoadingSettings;
import dev.pipekeeper.connect.zookeeper.ZooKeeperConnection;
import dev.pipekeeper.core.config.ConfigAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.zookeeper.common.PathUtils;

/**
 * Every setting of {@link ZooKeeperSinkConnector}: its key, type, default, validator and doc (the
 * one home for them). The topics it reads are Connect's own {@code topics} or {@code topics.regex}.
 */
public final class ZooKeeperSinkConfig extends AbstractConfig {
  private static final String GROUP = "ZooKeeper sink";

  public static final String SUBTREE_CONFIG = "zookeeper.subtree";
  public static final String SUBTREE_DOC =
      "The one subtree the commands may change, an absolute ZooKeeper path (/a/b, no trailing"
          + " slash); a command for a path outside it goes to the dead-letter topic. Created"
          + " (persistent) at a task's start if it does not exist. Pipekeeper's own tree"
          + " (/pipekeeper/...) may not be a subtree, except a cluster's configuration tree"
          + " (/pipekeeper/CLUSTER/config, or a scope of it): commands there are written through"
          + " Pipekeeper's config module (schemas, history, secrets, atomic batches).";

  public static final String OFFSETS_PATH_CONFIG = "offsets.path";
  public static final String OFFSETS_PATH_DOC =
      "The node under which the connector keeps, per topic-partition, the offset of the next"
          + " record to apply, written in the same ZooKeeper multi-op as each command (so a"
          + " redelivered record is skipped). Empty: /pipekeeper-connect/sinks/NAME, NAME the"
          + " connector's name. Must not overlap the subtree nor lie in Pipekeeper's tree.";

  public static final String EPHEMERAL_ALLOWED_CONFIG = "ephemeral.allowed";
  public static final String EPHEMERAL_ALLOWED_DOC =
      "Whether a create command may ask for an ephemeral node (\"ephemeral\": true). Off by"
          + " default: every node is persistent. An ephemeral node belongs to the task's session"
          + " and goes when the task stops or its session expires. Never through the config"
          + " module.";

  public static final String MAX_COMMAND_BYTES_CONFIG = "max.command.bytes";
  public static final String MAX_COMMAND_BYTES_DOC =
      "The largest record value accepted, in bytes (as the converter gave it: the bytes or text,"
          + " or the JSON a structured value makes); a larger one goes to the dead-letter topic."
          + " A batch's commands are written in one ZooKeeper request, which jute.maxbuffer"
          + " bounds (1 MB by default).";
  public static final int MAX_COMMAND_BYTES_DEFAULT = 512 * 1024;

  public static final String MAX_BATCH_COMMANDS_CONFIG = "max.batch.commands";
  public static final String MAX_BATCH_COMMANDS_DOC =
      "The most commands one record's batch may carry; more goes to the dead-letter topic.";
  public static final int MAX_BATCH_COMMANDS_DEFAULT = 100;

  public static final String RESULT_TOPIC_CONFIG = "result.topic";
  public static final String RESULT_TOPIC_DOC =
      "A topic that gets each record's outcome (applied, skipped-redelivery, conflict or"
          + " rejected, with the reason), keyed by topic-partition@offset, from a producer the"
          + " task owns. Empty: no outcomes are published.";

  public static final String RESULT_BOOTSTRAP_CONFIG = "result.bootstrap.servers";
  public static final String RESULT_BOOTSTRAP_DOC =
      "The brokers of the result topic (host:port,...); required with result.topic. Its"
          + " producer's other settings (security among them) are the result.producer.* keys.";

  /**
   * The prefix of the result producer's own settings ({@code result.producer.security.protocol}).
   */
  public static final String RESULT_PRODUCER_PREFIX = "result.producer.";

  public static final String RESULT_CLASS_SETTINGS_ALLOWED_CONFIG = "result.class.settings.allowed";
  public static final String RESULT_CLASS_SETTINGS_ALLOWED_DOC =
      "result.producer.* keys that make the producer load a class (a JAAS login module other than"
          + " Kafka's, interceptors, callback handlers, ...), refused unless listed here"
          + " (CVE-2023-25194).";

  public static final String WHO_CONFIG = "config.who";
  public static final String WHO_DOC =
      "Who the changes made through the config module are recorded as, in its history. Empty:"
          + " connect/NAME, NAME the connector's name.";

  /** Connect's connector name, given to the connector and its tasks. */
  static final String NAME_CONFIG = "name";

  /** The definition of the connector's settings. */
  public static final ConfigDef CONFIG_DEF = connectorDef();

  private final String name;

  /** The connector's (or a task's) settings from {@code props}. */
  public ZooKeeperSinkConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
    this.name = props.getOrDefault(NAME_CONFIG, "zookeeper-sink");
    checkTogether(subtree(), offsetsPath(), resultTopic(), resultBootstrap());
    List<String> refused = resultProducerProblems(props);
    if (!refused.isEmpty()) {
      throw new ConfigException(refused.get(0));
    }
  }

  /** The result producer's own settings: the {@code result.producer.*} keys, without prefix. */
  public Map<String, Object> resultProducerSettings() {
    return originalsWithPrefix(RESULT_PRODUCER_PREFIX);
  }

  /**
   * The {@code result.producer.*} settings refused because they load a class ({@link
   * ClassLoadingSettings}), one line each; empty if none is.
   */
  static List<String> resultProducerProblems(Map<String, String> props) {
    Map<String, String> producer = new java.util.TreeMap<>();
    props.forEach(
        (key, value) -> {
          if (key.startsWith(RESULT_PRODUCER_PREFIX)) {
            producer.put(key.substring(RESULT_PRODUCER_PREFIX.length()), value);
          }
        });
    String allowed = props.getOrDefault(RESULT_CLASS_SETTINGS_ALLOWED_CONFIG, "");
    java.util.Set<String> keys =
        java.util.Arrays.stream(allowed.split(","))
            .map(String::strip)
            .filter(k -> !k.isEmpty())
            .collect(java.util.stream.Collectors.toSet());
    return ClassLoadingSettings.refusals(
        producer, RESULT_PRODUCER_PREFIX, keys, RESULT_CLASS_SETTINGS_ALLOWED_CONFIG);
  }

  private static ConfigDef connectorDef() {
    int order = 0;
    ConfigDef def =
        ZooKeeperConnection.define(
            new ConfigDef(),
            GROUP,
            ++order,
            "The subtree, the commands' paths and offsets.path are relative to the chroot.",
            "",
            "Its ACL model (acl.*) gives the ACLs of the nodes the connector creates.");
    order += ZooKeeperConnection.KEYS.size() - 1;
    return def.define(
            SUBTREE_CONFIG,
            Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            new SubtreeValidator(),
            Importance.HIGH,
            SUBTREE_DOC,
            GROUP,
            ++order,
            Width.LONG,
            "Subtree")
        .define(
            OFFSETS_PATH_CONFIG,
            Type.STRING,
            "",
            new OffsetsPathValidator(),
            Importance.MEDIUM,
            OFFSETS_PATH_DOC,
            GROUP,
            ++order,
            Width.LONG,
            "Offsets node")
        .define(
            EPHEMERAL_ALLOWED_CONFIG,
            Type.BOOLEAN,
            false,
            Importance.LOW,
            EPHEMERAL_ALLOWED_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Ephemeral nodes allowed")
        .define(
            MAX_COMMAND_BYTES_CONFIG,
            Type.INT,
            MAX_COMMAND_BYTES_DEFAULT,
            ConfigDef.Range.between(1, 1_000_000),
            Importance.LOW,
            MAX_COMMAND_BYTES_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Largest record (bytes)")
        .define(
            MAX_BATCH_COMMANDS_CONFIG,
            Type.INT,
            MAX_BATCH_COMMANDS_DEFAULT,
            ConfigDef.Range.between(1, 1_000),
            Importance.LOW,
            MAX_BATCH_COMMANDS_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Most commands per batch")
        .define(
            RESULT_TOPIC_CONFIG,
            Type.STRING,
            "",
            Importance.MEDIUM,
            RESULT_TOPIC_DOC,
            GROUP,
            ++order,
            Width.MEDIUM,
            "Result topic")
        .define(
            RESULT_BOOTSTRAP_CONFIG,
            Type.STRING,
            "",
            Importance.MEDIUM,
            RESULT_BOOTSTRAP_DOC,
            GROUP,
            ++order,
            Width.LONG,
            "Result topic's brokers")
        .define(
            RESULT_CLASS_SETTINGS_ALLOWED_CONFIG,
            Type.LIST,
            "",
            Importance.LOW,
            RESULT_CLASS_SETTINGS_ALLOWED_DOC,
            GROUP,
            ++order,
            Width.LONG,
            "Result producer's allowed class settings")
        .define(
            WHO_CONFIG,
            Type.STRING,
            "",
            Importance.LOW,
            WHO_DOC,
            GROUP,
            ++order,
            Width.MEDIUM,
            "Recorded as");
  }

  /** How the task reaches ZooKeeper. */
  public ZooKeeperConnection connection() {
    return ZooKeeperConnection.of(this);
  }

  public String subtree() {
    return getString(SUBTREE_CONFIG).strip();
  }

  /** The cluster whose configuration tree the subtree is in, if it is in one. */
  public Optional<String> configCluster() {
    return ConfigAddress.clusterOf(subtree());
  }

  /** The node of the per-partition offsets ({@value #OFFSETS_PATH_CONFIG} or the default). */
  public String offsetsPath() {
    String path = getString(OFFSETS_PATH_CONFIG).strip();
    return path.isEmpty() ? defaultOffsetsPath(name) : path;
  }

  /** The offsets node of a connector named {@code name} without {@value #OFFSETS_PATH_CONFIG}. */
  static String defaultOffsetsPath(String name) {
    return "/pipekeeper-connect/sinks/" + name;
  }

  public boolean ephemeralAllowed() {
    return getBoolean(EPHEMERAL_ALLOWED_CONFIG);
  }

  public int maxCommandBytes() {
    return getInt(MAX_COMMAND_BYTES_CONFIG);
  }

  public int maxBatchCommands() {
    return getInt(MAX_BATCH_COMMANDS_CONFIG);
  }

  public Optional<String> resultTopic() {
    String topic = getString(RESULT_TOPIC_CONFIG).strip();
    return topic.isEmpty() ? Optional.empty() : Optional.of(topic);
  }

  public String resultBootstrap() {
    return getString(RESULT_BOOTSTRAP_CONFIG).strip();
  }

  /** Who the config module records the changes as. */
  public String who() {
    String who = getString(WHO_CONFIG).strip();
    return who.isEmpty() ? "connect/" + name : who;
  }

  /** The connector's name. */
  public String name() {
    return name;
  }

  /**
   * The checks that take several settings: the offsets node apart from the subtree, and brokers for
   * a result topic.
   *
   * @return each refused setting with why, in order; empty if they hold
   */
  static Map<String, String> problemsTogether(
      String subtree, String offsets, Optional<String> resultTopic, String bootstrap) {
    Map<String, String> problems = new java.util.LinkedHashMap<>();
    if (offsets.equals(subtree)
        || offsets.startsWith(subtree + "/")
        || subtree.startsWith(offsets + "/")) {
      problems.put(
          OFFSETS_PATH_CONFIG,
          "the offsets node "
              + offsets
              + " must not overlap the subtree "
              + subtree
              + " (commands could change it)");
    }
    if (resultTopic.isPresent() && bootstrap.isEmpty()) {
      problems.put(RESULT_BOOTSTRAP_CONFIG, "a result topic needs its brokers");
    }
    return problems;
  }

  private static void checkTogether(
      String subtree, String offsets, Optional<String> resultTopic, String bootstrap) {
    problemsTogether(subtree, offsets, resultTopic, bootstrap).entrySet().stream()
        .findFirst()
        .ifPresent(
            problem -> {
              throw new ConfigException(problem.getKey() + ": " + problem.getValue());
            });
  }

  /** An absolute path, valid for ZooKeeper, no trailing slash. */
  static void checkPath(String name, String path) {
    if (!path.startsWith("/")) {
      throw new ConfigException(name, path, "must be an absolute path (/a/b)");
    }
    try {
      PathUtils.validatePath(path);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, path, e.getMessage());
    }
  }

  /** An absolute path; in Pipekeeper's tree only a configuration tree. */
  static final class SubtreeValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String path = value == null ? "" : value.toString().strip();
      checkPath(name, path);
      if (ConfigAddress.inPipekeepersTree(path) && ConfigAddress.clusterOf(path).isEmpty()) {
        throw new ConfigException(
            name,
            path,
            "Pipekeeper's coordination tree is written by its primitives only; a sink may write"
                + " a cluster's configuration tree (/pipekeeper/CLUSTER/config[/SCOPE])");
      }
      if (path.equals("/")) {
        throw new ConfigException(
            name, path, "the subtree must not hold Pipekeeper's tree (/pipekeeper)");
      }
    }

    @Override
    public String toString() {
      return "an absolute ZooKeeper path, outside /pipekeeper except /pipekeeper/CLUSTER/config";
    }
  }

  /** Empty, or an absolute path outside Pipekeeper's tree. */
  static final class OffsetsPathValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String path = value == null ? "" : value.toString().strip();
      if (path.isEmpty()) {
        return;
      }
      checkPath(name, path);
      if (path.equals("/") || ConfigAddress.inPipekeepersTree(path)) {
        throw new ConfigException(name, path, "must not be / nor lie in Pipekeeper's tree");
      }
    }

    @Override
    public String toString() {
      return "empty, or an absolute ZooKeeper path outside /pipekeeper";
    }
  }
}
