package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.BooleanNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.internal.KafkaNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SHARDED pipelines against a real ZooKeeper and a real KRaft broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class ShardedPipelineIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final int PER_UNIT = 300;

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  /**
   * A simulated external system: unit U has records "U:1", "U:2", ... up to a limit the test raises
   * step by step (so units move at known points mid-stream); the position is the number of the last
   * record read; it hands out at most 10 records per poll.
   */
  static final class TenantFeed implements WorkUnitSource<String, String> {
    private final String unit;
    private final Available available;

    TenantFeed(String unit, Available available) {
      this.unit = unit;
      this.available = available;
    }

    @Override
    public SourceBatch<String, String> poll(Optional<String> position, Duration timeout) {
      int last = position.map(Integer::parseInt).orElse(0);
      int limit = available.awaitAbove(last, timeout); // a long poll of the external system
      List<Map.Entry<String, String>> records = new ArrayList<>();
      int next = last;
      while (next < Math.min(last + 10, limit)) {
        next++;
        records.add(Map.entry(unit, unit + ":" + next));
      }
      return new SourceBatch<>(records, Integer.toString(next));
    }
  }

  /** How many records each unit's external system holds; the test raises it in steps. */
  static final class Available {
    private int limit;

    synchronized void set(int value) {
      limit = value;
      notifyAll();
    }

    /** The limit once it is above {@code last}, or after {@code timeout} whatever it is. */
    synchronized int awaitAbove(int last, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (limit <= last) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return limit;
    }
  }

  private final Available available = new Available();

  /** The fencing tokens the processor saw in its context, for records of the unit it owned. */
  private final Set<Long> tokensSeen = ConcurrentHashMap.newKeySet();

  private Pipeline sharded(TestCluster cluster, String id, String name) {
    Pipekeeper pk = KafkaTopics.connect(cluster, id, Duration.ofSeconds(3));
    open.push(pk);
    String out = cluster.topic("out");
    Pipeline pipeline =
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .bootstrapServers(cluster.bootstrapServers())
            .mode(Mode.SHARDED)
            .sources(unit -> new TenantFeed(unit, available))
            .positionsTopic(cluster.topic("positions"))
            .healthInterval(Duration.ofMillis(200))
            .processor(
                (record, ctx) -> {
                  ctx.unit()
                      .filter(unit -> unit.unit().equals(record.key()))
                      .ifPresent(unit -> tokensSeen.add(unit.token()));
                  ctx.emit(out, record.key(), record.value());
                })
            .build();
    open.push(pipeline);
    return pipeline.start();
  }

  @Test
  void unitsThatMoveResumeFromTheirStoredPositionWithoutDuplicatesOrGaps(TestCluster cluster)
      throws Exception {
    KafkaTopics.create(cluster, 1, cluster.topic("out"), cluster.topic("positions"));
    String name = "ingester";
    Pipekeeper admin =
        Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build();
    open.push(admin);
    List<String> units = List.of("tenant-0", "tenant-1", "tenant-2", "tenant-3");
    units.forEach(unit -> admin.workUnits(name).put(WorkUnit.of(unit)));

    available.set(100);
    Pipeline a = sharded(cluster, "a", name);
    awaitOutput(cluster, 400); // every unit at 100, all on a
    Pipeline b = sharded(cluster, "b", name); // two units move to b at position 100
    awaitOwners(admin, name, owners -> owners.values().stream().distinct().count() == 2);
    available.set(200);
    awaitOutput(cluster, 800);
    a.close(); // the other two move to b at position 200
    awaitOwners(
        admin,
        name,
        owners -> owners.size() == 4 && owners.values().stream().allMatch("b"::equals));
    available.set(PER_UNIT);
    awaitOutput(cluster, 4 * PER_UNIT);

    List<ConsumerRecord<String, String>> out =
        KafkaTopics.readCommitted(cluster, cluster.topic("out"));
    Map<String, Long> counts =
        out.stream().collect(Collectors.groupingBy(ConsumerRecord::value, Collectors.counting()));
    Set<String> expected = new TreeSet<>();
    for (String unit : units) {
      for (int i = 1; i <= PER_UNIT; i++) {
        expected.add(unit + ":" + i);
      }
    }
    assertThat(counts.keySet()).as("no gaps").isEqualTo(expected);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
    assertThat(
            out.stream()
                .map(r -> r.headers().lastHeader(PipelineHeaders.UNIT_TOKEN).value())
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .map(Long::parseLong)
                .collect(Collectors.toSet()))
        .as("each output record carries the token its processor saw for its own unit")
        .isEqualTo(tokensSeen)
        .hasSizeGreaterThanOrEqualTo(units.size());
    assertThat(b.processed())
        .as("b: two units from 100 to 200, then four from 200 on")
        .isEqualTo(2 * 100 + 4 * 100);
  }

  @Test
  void pausingStopsEveryUnitAndResumingGoesOnFromTheCommittedPosition(TestCluster cluster)
      throws Exception {
    KafkaTopics.create(cluster, 1, cluster.topic("out"), cluster.topic("positions"));
    String name = "pausable";
    Pipekeeper admin =
        Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build();
    open.push(admin);
    List<String> units = List.of("tenant-0", "tenant-1");
    units.forEach(unit -> admin.workUnits(name).put(WorkUnit.of(unit)));
    Scope scope = Scope.pipeline(name);

    available.set(50);
    Pipeline a = sharded(cluster, "a", name);
    awaitOutput(cluster, 100); // both units at 50
    admin
        .config()
        .set(scope, PipelineKeys.PAUSED.name(), BooleanNode.TRUE, ChangeOptions.by("test"));
    await().atMost(BOUND).until(() -> a.state() == Pipeline.State.PAUSED);
    await()
        .atMost(BOUND)
        .until(
            () -> admin.health().reports(name),
            reports -> reports.size() == 1 && reports.get(0).state().equals("PAUSED"));
    assertThat(a.units()).as("a paused instance keeps its units").hasSize(2);

    available.set(150); // the external system has more, but a paused unit reads none of it
    await()
        .during(Duration.ofSeconds(2))
        .atMost(BOUND)
        .until(
            () ->
                a.processed() == 100
                    && KafkaTopics.readCommitted(cluster, cluster.topic("out")).size() == 100);

    admin
        .config()
        .set(scope, PipelineKeys.PAUSED.name(), BooleanNode.FALSE, ChangeOptions.by("test"));
    awaitOutput(cluster, 300);
    await()
        .atMost(BOUND)
        .until(
            () -> admin.health().reports(name),
            reports -> reports.size() == 1 && reports.get(0).state().equals("RUNNING"));
    assertThat(a.state()).isEqualTo(Pipeline.State.RUNNING);
    Map<String, Long> counts =
        KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, cluster.topic("out")));
    Set<String> expected = new TreeSet<>();
    for (String unit : units) {
      for (int i = 1; i <= 150; i++) {
        expected.add(unit + ":" + i);
      }
    }
    assertThat(counts.keySet()).as("no gaps").isEqualTo(expected);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
    assertThat(a.processed()).isEqualTo(300);
  }

  /**
   * A stale task of a unit (an earlier owner's, or this instance's own from a generation whose stop
   * timed out while its start was blocked) may open the unit's transactional producer after the
   * owner did, fencing the owner's. The owner still owns the unit in ZooKeeper, so it fences the
   * stale one back and goes on, rather than leave the unit it owns unprocessed (found by the fault
   * suite: after a broker restart, units whose owners took this for a new owner stopped for good).
   */
  @Test
  void anOwnerWhoseProducerAStaleTaskFencedFencesItBackAndGoesOn(TestCluster cluster)
      throws Exception {
    KafkaTopics.create(cluster, 1, cluster.topic("out"), cluster.topic("positions"));
    String name = "refenced";
    Pipekeeper admin =
        Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build();
    open.push(admin);
    admin.workUnits(name).put(WorkUnit.of("tenant-0"));

    available.set(50);
    Pipeline a = sharded(cluster, "a", name);
    awaitOutput(cluster, 50);
    try (KafkaProducer<byte[], byte[]> stale =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                KafkaNames.unitTransactionalId(name, "tenant-0")),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      stale.initTransactions(); // a's producer of the unit is fenced now
    }

    available.set(150);
    awaitOutput(cluster, 150);
    Map<String, Long> counts =
        KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, cluster.topic("out")));
    Set<String> expected = new TreeSet<>();
    for (int i = 1; i <= 150; i++) {
      expected.add("tenant-0:" + i);
    }
    assertThat(counts.keySet()).as("no gaps").isEqualTo(expected);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
    assertThat(a.processed()).isEqualTo(150);
  }

  private static void awaitOutput(TestCluster cluster, int records) {
    await()
        .atMost(BOUND)
        .until(() -> KafkaTopics.readCommitted(cluster, cluster.topic("out")).size() >= records);
  }

  private static void awaitOwners(
      Pipekeeper admin, String group, java.util.function.Predicate<Map<String, String>> condition) {
    await()
        .atMost(BOUND)
        .until(
            () -> admin.assignments(group).status(),
            status -> status.pendingMoves().isEmpty() && condition.test(status.owners()));
  }
}
