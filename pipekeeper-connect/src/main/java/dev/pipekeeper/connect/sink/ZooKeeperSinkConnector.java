package dev.pipekeeper.connect.sink;

import dev.pipekeeper.connect.ConnectorVersion;
import dev.pipekeeper.connect.zookeeper.ZooKeeperConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A Kafka Connect sink connector that applies a topic of commands (create, set, delete, each with
 * an optional expected version; a record may carry a batch, applied all or nothing) to one
 * ZooKeeper subtree, each record once: its commands and its partition's offset are one ZooKeeper
 * multi-op. When the subtree is a cluster's configuration tree ({@code
 * /pipekeeper/CLUSTER/config}), the commands go through Pipekeeper's config module (schemas,
 * history, secrets, atomic batches). See {@link ZooKeeperSinkConfig} for the settings, {@link
 * ZooKeeperSinkTask} for what happens to a record, and docs/connect.md for the command format and
 * the guarantees.
 *
 * <p>Thread-safety: Connect calls a connector from one thread at a time.
 */
public final class ZooKeeperSinkConnector extends SinkConnector {
  private Map<String, String> props;

  @Override
  public String version() {
    return ConnectorVersion.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    new ZooKeeperSinkConfig(props); // refuses what the worker's validation let through
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return ZooKeeperSinkTask.class;
  }

  /**
   * {@code maxTasks} tasks with the same settings: Connect deals the topics' partitions among them,
   * and each partition's offsets node fences a task that lost its partition.
   */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < Math.max(1, maxTasks); i++) {
      configs.add(new HashMap<>(props));
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return ZooKeeperSinkConfig.CONFIG_DEF;
  }

  /**
   * Validates each setting and the settings that go together (the offsets node apart from the
   * subtree, brokers for a result topic), then, if the connection settings are valid, connects
   * once: an ensemble that does not answer within the connection timeout is an error of {@value
   * ZooKeeperConnection#ZOOKEEPER_CONNECT_CONFIG}.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    Map<String, ConfigValue> values = new HashMap<>();
    result.configValues().forEach(v -> values.put(v.name(), v));
    boolean single =
        List.of(
                ZooKeeperSinkConfig.SUBTREE_CONFIG,
                ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG,
                ZooKeeperSinkConfig.RESULT_TOPIC_CONFIG,
                ZooKeeperSinkConfig.RESULT_BOOTSTRAP_CONFIG)
            .stream()
            .allMatch(k -> values.get(k) != null && values.get(k).errorMessages().isEmpty());
    if (single) {
      String subtree = String.valueOf(values.get(ZooKeeperSinkConfig.SUBTREE_CONFIG).value());
      Object offsets = values.get(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG).value();
      String name =
          connectorConfigs.getOrDefault(ZooKeeperSinkConfig.NAME_CONFIG, "zookeeper-sink");
      Object topic = values.get(ZooKeeperSinkConfig.RESULT_TOPIC_CONFIG).value();
      Object brokers = values.get(ZooKeeperSinkConfig.RESULT_BOOTSTRAP_CONFIG).value();
      String offsetsPath =
          offsets == null || offsets.toString().isBlank()
              ? ZooKeeperSinkConfig.defaultOffsetsPath(name)
              : offsets.toString().strip();
      ZooKeeperSinkConfig.problemsTogether(
              subtree.strip(),
              offsetsPath,
              topic == null || topic.toString().isBlank()
                  ? Optional.empty()
                  : Optional.of(topic.toString().strip()),
              brokers == null ? "" : brokers.toString().strip())
          .forEach((key, problem) -> values.get(key).addErrorMessage(problem));
    }
    for (String refused : ZooKeeperSinkConfig.resultProducerProblems(connectorConfigs)) {
      String key = refused.substring(0, refused.indexOf(' '));
      ConfigValue value = new ConfigValue(key);
      value.addErrorMessage(refused);
      result.configValues().add(value);
    }
    ZooKeeperConnection.checkReachable(result, connectorConfigs);
    return result;
  }
}
