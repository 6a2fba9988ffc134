package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing on the per-record path touches ZooKeeper: in steady state a pipeline makes at most one
 * ZooKeeper write per 10,000 records. Writes are counted by a persistent recursive watch on the
 * cluster's tree, which sees every node created, deleted or changed under it.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ZooKeeperWritesIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final int RECORDS = 10_000;

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Mode.class,
      names = {"PARALLEL", "SINGLETON"})
  void aTopicPipelineWritesNothingToZooKeeperPerRecord(Mode mode, TestCluster cluster)
      throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 2, in, out);
    Pipeline pipeline =
        started(
            base(cluster, "costs-" + mode.name().toLowerCase(java.util.Locale.ROOT))
                .topics(in)
                .mode(mode)
                .processor((record, ctx) -> ctx.emit(out, record.key(), record.value())));
    KafkaTopics.produce(cluster, in, 0, 1000);
    await().atMost(BOUND).until(() -> pipeline.processed() == 1000); // steady state

    WriteCounter probe = probe(cluster);
    int before = probe.count();
    KafkaTopics.produce(cluster, in, 1000, 1000 + RECORDS);
    await().atMost(BOUND).until(() -> pipeline.processed() == 1000 + RECORDS);
    assertThat(probe.since(before))
        .as("ZooKeeper writes while %d records went through", RECORDS)
        .hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void aShardedPipelineWritesNothingToZooKeeperPerRecord(TestCluster cluster) throws Exception {
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 1, out, cluster.topic("positions"));
    String name = "costs-sharded";
    Pipekeeper admin = connect(cluster, "admin");
    admin.workUnits(name).put(WorkUnit.of("unit-1"));
    admin.workUnits(name).put(WorkUnit.of("unit-2"));
    Counter released = new Counter();
    Pipeline pipeline =
        started(
            base(cluster, name)
                .mode(Mode.SHARDED)
                .positionsTopic(cluster.topic("positions"))
                .sources(unit -> (position, timeout) -> released.batch(unit, position, timeout))
                .processor((record, ctx) -> ctx.emit(out, record.key(), record.value())));
    released.release(500); // per unit
    await().atMost(BOUND).until(() -> pipeline.processed() == 1000); // steady state

    WriteCounter probe = probe(cluster);
    int before = probe.count();
    released.release(500 + RECORDS / 2);
    await().atMost(BOUND).until(() -> pipeline.processed() == 1000 + RECORDS);
    assertThat(probe.since(before))
        .as("ZooKeeper writes while %d records went through", RECORDS)
        .hasSizeLessThanOrEqualTo(1);
  }

  /** A source of "unit:n" records up to a limit the test raises, 500 per batch at most. */
  static final class Counter {
    private long limit;

    synchronized void release(long value) {
      limit = value;
      notifyAll();
    }

    synchronized SourceBatch<String, String> batch(
        String unit, Optional<String> position, Duration timeout) {
      long last = position.map(Long::parseLong).orElse(0L);
      if (limit <= last) {
        try {
          wait(timeout.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      List<Map.Entry<String, String>> records = new ArrayList<>();
      long next = last;
      while (next < Math.min(limit, last + 500)) {
        next++;
        records.add(Map.entry(unit, unit + ":" + next));
      }
      return new SourceBatch<>(records, Long.toString(next));
    }
  }

  private PipelineBuilder<String, String, String, String> base(TestCluster cluster, String name) {
    return Pipeline.builder(
            name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
        .pipekeeper(connect(cluster, name + "-member"))
        .bootstrapServers(cluster.bootstrapServers())
        .deadLetterTopic(cluster.topic("out"))
        // health is one write per interval, whatever the records: kept out of this count
        .healthInterval(Duration.ofMinutes(10));
  }

  private Pipeline started(PipelineBuilder<String, String, String, String> builder) {
    Pipeline pipeline = builder.build();
    open.push(pipeline);
    return pipeline.start();
  }

  private Pipekeeper connect(TestCluster cluster, String id) {
    Pipekeeper pk = KafkaTopics.connect(cluster, id, Duration.ofSeconds(10));
    open.push(pk);
    return pk;
  }

  /**
   * Counts the writes to the cluster's tree from now on: a persistent recursive watch on its root
   * (ZooKeeper delivers every create, delete and data change under it, one event per node written).
   * Writes of other tests, which share the server but never the cluster, are not seen; the server's
   * zxid would count them too, and their sessions' expiries.
   */
  private WriteCounter probe(TestCluster cluster) throws Exception {
    CuratorFramework client =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100));
    client.start();
    open.push(client::close);
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the write counter could not connect");
    }
    WriteCounter counter = new WriteCounter();
    PersistentWatcher watcher =
        new PersistentWatcher(client, "/pipekeeper/" + cluster.cluster(), true);
    watcher.getListenable().addListener(counter::seen);
    CountDownLatch watching = new CountDownLatch(1);
    watcher.getResetListenable().addListener(watching::countDown);
    watcher.start();
    open.push(watcher);
    if (!watching.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the write counter's watch was not set");
    }
    return counter;
  }

  /** The writes seen, with the paths written (for the message when there are too many). */
  static final class WriteCounter {
    private final List<String> written = new ArrayList<>();

    synchronized void seen(WatchedEvent event) {
      if (event.getType() == Watcher.Event.EventType.NodeCreated
          || event.getType() == Watcher.Event.EventType.NodeDeleted
          || event.getType() == Watcher.Event.EventType.NodeDataChanged) {
        written.add(event.getType() + " " + event.getPath());
      }
    }

    synchronized List<String> since(int from) {
      return List.copyOf(written.subList(from, written.size()));
    }

    synchronized int count() {
      return written.size();
    }
  }
}
