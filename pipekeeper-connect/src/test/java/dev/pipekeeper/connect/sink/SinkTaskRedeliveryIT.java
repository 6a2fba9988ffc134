package dev.pipekeeper.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The task's own guarantees against a real ZooKeeper, records handed to it directly (as Connect
 * would after a restart or a rebalance, which the worker tests cannot time exactly): records
 * delivered again are skipped by their offset, a new task resumes from the offsets node, and a task
 * that lost its partition to another (a zombie) is fenced by the offsets node's version and applies
 * nothing. Every command is a set at the version the one before left, so one applied twice would be
 * a conflict.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class SinkTaskRedeliveryIT {
  static final TopicPartition TP = new TopicPartition("commands", 0);

  @Test
  void redeliveredRecordsAreSkippedAndAZombieIsFenced(TestCluster cluster) throws Exception {
    String app = cluster.chroot() + "/app";
    Map<String, String> props = new HashMap<>();
    props.put("name", "sink");
    props.put("zookeeper.connect", cluster.zkConnect());
    props.put(ZooKeeperSinkConfig.SUBTREE_CONFIG, app);
    props.put(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG, cluster.chroot() + "/offsets");
    try (CuratorFramework zk = ZooKeeperSinkConnectorIT.client(cluster)) {
      Context first = new Context();
      ZooKeeperSinkTask one = new ZooKeeperSinkTask();
      one.initialize(first);
      one.start(props);
      one.open(List.of(TP));
      assertThat(first.resumed).isEmpty(); // no offsets node yet
      one.put(records(app, 0, 10));
      assertThat(version(zk, app)).isEqualTo(9);
      // Connect delivers 5..14 again (a retried batch): 5..9 are skipped, 10..14 applied
      one.put(records(app, 5, 15));
      assertThat(version(zk, app)).isEqualTo(14);
      assertThat(one.preCommit(Map.of(TP, new OffsetAndMetadata(3))))
          .containsEntry(TP, new OffsetAndMetadata(15));

      // the partition moves to a new task, which resumes from the offsets node
      Context second = new Context();
      ZooKeeperSinkTask two = new ZooKeeperSinkTask();
      two.initialize(second);
      two.start(props);
      two.open(List.of(TP));
      assertThat(second.resumed).containsEntry(TP, 15L);
      two.put(records(app, 15, 20));
      assertThat(version(zk, app)).isEqualTo(19);

      // the old task was not told (a zombie): its view of the offsets node is at 15, stale; the
      // offsets node's version fences it, it reads the node again and skips what was applied
      one.put(records(app, 15, 20));
      assertThat(version(zk, app)).isEqualTo(19);
      assertThat(first.reported).isEmpty();
      assertThat(second.reported).isEmpty();
      one.stop();
      two.stop();
    }
  }

  /**
   * A record whose commands would not fit in one ZooKeeper request (the server would drop the
   * connection, and every retry) is rejected with the sizes, and nothing is written.
   */
  @Test
  void commandsTooLargeForOneRequestAreRejectedNotRetried(TestCluster cluster) throws Exception {
    String app = cluster.chroot() + "/app";
    org.apache.zookeeper.client.ZKClientConfig small =
        new org.apache.zookeeper.client.ZKClientConfig();
    small.setProperty(org.apache.zookeeper.common.ZKConfig.JUTE_MAXBUFFER, "20000");
    try (CuratorFramework zk =
        org.apache.curator.framework.CuratorFrameworkFactory.builder()
            .connectString(cluster.zkConnect())
            .zkClientConfig(small)
            .retryPolicy(new org.apache.curator.retry.RetryOneTime(100))
            .build()) {
      zk.start();
      zk.blockUntilConnected();
      zk.create().creatingParentsIfNeeded().forPath(app);
      PartitionMarks marks = new PartitionMarks(zk, cluster.chroot() + "/offsets");
      marks.ensureRoot();
      TreeApplier applier = new TreeApplier(zk, marks, app);
      SinkCommand big =
          new SinkCommand(
              SinkCommand.Op.CREATE,
              app + "/big",
              new byte[7_000],
              null,
              java.util.OptionalInt.of(-1),
              false);
      Outcome outcome = applier.apply(TP, 0, PartitionMarks.Mark.NONE, List.of(big, big));
      assertThat(outcome.kind()).isEqualTo(Outcome.Kind.REJECTED);
      assertThat(outcome.reason()).contains("one ZooKeeper request", "jute.maxbuffer 20000");
      assertThat(zk.checkExists().forPath(app + "/big")).isNull();
      assertThat(applier.apply(TP, 0, PartitionMarks.Mark.NONE, List.of(big)).kind())
          .isEqualTo(Outcome.Kind.APPLIED);
      assertThat(zk.checkExists().forPath(app + "/big").getEphemeralOwner()).isZero();
      // an ephemeral node only when a create asks (the parser lets it through when allowed)
      SinkCommand ephemeral =
          new SinkCommand(
              SinkCommand.Op.CREATE,
              app + "/session/e",
              new byte[0],
              null,
              java.util.OptionalInt.of(-1),
              true);
      assertThat(applier.apply(TP, 1, marks.read(TP), List.of(ephemeral)).kind())
          .isEqualTo(Outcome.Kind.APPLIED);
      long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
      assertThat(zk.checkExists().forPath(app + "/session/e").getEphemeralOwner())
          .isEqualTo(session);
      assertThat(zk.checkExists().forPath(app + "/session").getEphemeralOwner()).isZero();
    }
  }

  /** Records {@code from} (inclusive) to {@code to}: a create at 0, then sets at version i-1. */
  static List<SinkRecord> records(String app, int from, int to) {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String value =
          i == 0
              ? ZooKeeperSinkConnectorIT.create(app + "/counter", "0")
              : ZooKeeperSinkConnectorIT.set(app + "/counter", String.valueOf(i), i - 1);
      records.add(
          new SinkRecord(TP.topic(), TP.partition(), null, null, Schema.STRING_SCHEMA, value, i));
    }
    return records;
  }

  static int version(CuratorFramework zk, String app) throws Exception {
    Stat stat = new Stat();
    byte[] data = zk.getData().storingStatIn(stat).forPath(app + "/counter");
    assertThat(new String(data, StandardCharsets.UTF_8))
        .isEqualTo(String.valueOf(stat.getVersion()));
    return stat.getVersion();
  }

  /** What Connect gives a task, and what the task asks of it, recorded. */
  static final class Context implements SinkTaskContext {
    final Map<TopicPartition, Long> resumed = new HashMap<>();
    final List<SinkRecord> reported = new ArrayList<>();

    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
      resumed.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
      resumed.put(tp, offset);
    }

    @Override
    public void timeout(long timeoutMs) {}

    @Override
    public Set<TopicPartition> assignment() {
      return Set.of(TP);
    }

    @Override
    public void pause(TopicPartition... partitions) {}

    @Override
    public void resume(TopicPartition... partitions) {}

    @Override
    public void requestCommit() {}

    @Override
    public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
      throw new UnsupportedOperationException("the sink task records no metrics");
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
      return (record, error) -> {
        reported.add(record);
        return CompletableFuture.completedFuture(null);
      };
    }
  }
}
