package dev.pipekeeper.connect.source;

import dev.pipekeeper.connect.ConnectorVersion;
import dev.pipekeeper.connect.zookeeper.ZooKeeperConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.util.ConnectorUtils;

/**
 * A Kafka Connect source connector that streams every change of one or more ZooKeeper subtrees into
 * a topic: a snapshot first, then Curator's recursive {@code PersistentWatcher} per subtree.
 * Records are keyed by path; the value holds the data (bytes, string or JSON), the stat and the
 * change type; a delete is a delete record followed by a tombstone. See {@link
 * ZooKeeperSourceConfig} for the settings and docs/connect.md for the record format and what a
 * restart, a reconnect and a session expiry do.
 *
 * <h2>Offsets</h2>
 *
 * <p>The committed offsets hold, per subtree, the last emitted czxid, mzxid and version of every
 * path, in 32 source partitions by hash of the path ({@code {subtree, bucket}}); each record
 * carries the state of its bucket after it. Connect's {@code OffsetStorageReader} reads only the
 * partitions it is given, so a partition per path could not find the paths deleted while the
 * connector was stopped; a fixed set of buckets can be named, and so read back whole. On start a
 * task reads them, reads its subtrees and emits only the differences: creates, changes (by mzxid)
 * and deletes that happened while it was stopped, nothing it had already emitted and committed.
 * Reading back the output topic instead was not chosen: the task would need its own consumer, the
 * topic's security settings and the whole topic read, and a compacted topic may have dropped the
 * tombstones. The cost is that a bucket's offset grows with its number of paths: fit for
 * coordination and configuration trees, not for millions of nodes.
 *
 * <p>Thread-safety: Connect calls a connector from one thread at a time.
 */
public final class ZooKeeperSourceConnector extends SourceConnector {
  private Map<String, String> props;
  private ZooKeeperSourceConfig config;

  @Override
  public String version() {
    return ConnectorVersion.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    this.config = new ZooKeeperSourceConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return ZooKeeperSourceTask.class;
  }

  /** At most one task per subtree; the subtrees are dealt to the tasks in order. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<String> subtrees = config.subtrees();
    int tasks = Math.max(1, Math.min(maxTasks, subtrees.size()));
    List<Map<String, String>> configs = new ArrayList<>();
    for (List<String> group : ConnectorUtils.groupPartitions(subtrees, tasks)) {
      Map<String, String> task = new HashMap<>(props);
      task.put(ZooKeeperSourceConfig.TASK_SUBTREES_CONFIG, String.join(",", group));
      configs.add(task);
    }
    return configs;
  }

  /**
   * Supported: each record carries the whole state of its bucket, so offsets committed in the same
   * transaction as the records (workers with {@code exactly.once.source.support=enabled}) are
   * exactly what the topic holds; a task killed mid-transaction restarts from the last committed
   * one. Transactions follow {@code poll()} batches (the connector defines no boundaries).
   */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.SUPPORTED;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return ZooKeeperSourceConfig.CONFIG_DEF;
  }

  /**
   * Validates each setting, then, if the connection settings are valid, connects once: an ensemble
   * that does not answer within the connection timeout is an error of {@value
   * ZooKeeperSourceConfig#ZOOKEEPER_CONNECT_CONFIG}.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    ZooKeeperConnection.checkReachable(result, connectorConfigs);
    return result;
  }
}
