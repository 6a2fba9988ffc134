package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.monitor.PartitionOffsets;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.monitor.KafkaCluster;
import dev.pipekeeper.kafka.monitor.KafkaProbe;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link KafkaProbe} against the real KRaft broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class KafkaProbeIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  /** What a probe may take beyond its timeout on a slow machine. */
  private static final Duration SLACK = TestTimeouts.scaled(Duration.ofMillis(1500));

  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private KafkaProbe probe(String bootstrapServers, String clientId) {
    KafkaProbe probe =
        KafkaProbe.builder(bootstrapServers)
            .timeout(PROBE_TIMEOUT)
            .kafkaProperty("client.id", clientId)
            .build();
    open.push(probe);
    return probe;
  }

  /**
   * Creates the topic with no time-based retention. The tests' records carry timestamps from {@link
   * #T0} on, far longer ago than the broker's default retention of 7 days: on a topic with the
   * default, the broker's retention task (first run 30 s after the broker starts, then every 5
   * minutes) deletes them whenever it happens to run during a test, and the probe then rightly
   * reports no oldest unconsumed record (the committed offset is below the log start, and nothing
   * is left up to the end offset).
   */
  private static void createKeepingOldRecords(TestCluster cluster, int partitions, String topic)
      throws Exception {
    Map<String, Object> props =
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, partitions, (short) 1)
                      .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"))))
          .all()
          .get();
    }
  }

  /** Sends {@code value-i} to the partition for i in [from, to), with timestamp T0 + i s. */
  private static void produce(
      KafkaProducer<String, String> producer, String topic, int partition, int from, int to) {
    for (int i = from; i < to; i++) {
      producer.send(
          new ProducerRecord<>(
              topic, partition, T0.plusSeconds(i).toEpochMilli(), "key-" + i, "value-" + i));
    }
    producer.flush();
  }

  private static KafkaProducer<String, String> producer(TestCluster cluster, String txId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    if (txId != null) {
      props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
    }
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  /**
   * A consumer of {@code group} that reads the partitions and commits {@code upTo} (the next offset
   * to consume) per partition, as a consumer that processed that far does; then it stops.
   */
  private static void consumeAndCommit(
      TestCluster cluster, String group, Map<TopicPartition, Long> upTo) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(upTo.keySet());
      Map<TopicPartition, Long> read = new HashMap<>();
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (upTo.entrySet().stream()
          .anyMatch(e -> read.getOrDefault(e.getKey(), 0L) < e.getValue())) {
        assertThat(System.nanoTime()).as("consumed in time").isLessThan(deadline);
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
          read.merge(
              new TopicPartition(record.topic(), record.partition()),
              record.offset() + 1,
              Math::max);
        }
      }
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      upTo.forEach((p, offset) -> commit.put(p, new OffsetAndMetadata(offset)));
      consumer.commitSync(commit);
    }
  }

  private static ProbeReport timed(KafkaProbe probe, Set<String> groups) {
    long start = System.nanoTime();
    ProbeReport report = probe.probe(groups);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("probe duration").isLessThan(PROBE_TIMEOUT.plus(SLACK));
    return report;
  }

  @Test
  void committedEndLagAndTheOldestUnconsumedRecord(TestCluster cluster) throws Exception {
    String topic = cluster.topic("orders");
    String group = cluster.topic("enricher");
    createKeepingOldRecords(cluster, 2, topic);
    TopicPartition p0 = new TopicPartition(topic, 0);
    TopicPartition p1 = new TopicPartition(topic, 1);
    try (KafkaProducer<String, String> producer = producer(cluster, null)) {
      produce(producer, topic, 0, 0, 10);
      produce(producer, topic, 1, 0, 5);
    }
    consumeAndCommit(cluster, group, Map.of(p0, 6L, p1, 5L));
    KafkaProbe probe = probe(cluster.bootstrapServers(), cluster.topic("probe"));
    assertThat(probe.system()).isEqualTo("kafka");

    ProbeReport report = timed(probe, Set.of(group, cluster.topic("no-such-group")));
    assertThat(report.reachable()).isTrue();
    assertThat(report.error()).isEmpty();
    assertThat(report.offsets()).as("the unknown group is left out").containsOnlyKeys(group);
    Map<String, PartitionOffsets> offsets = report.offsets().get(group);
    assertThat(offsets).containsOnlyKeys(p0.toString(), p1.toString());
    assertThat(offsets.get(topic + "-0"))
        .isEqualTo(new PartitionOffsets(6, 10, Optional.of(T0.plusSeconds(6))));
    assertThat(offsets.get(topic + "-0").lag()).isEqualTo(4);
    assertThat(offsets.get(topic + "-1")).isEqualTo(new PartitionOffsets(5, 5, Optional.empty()));

    // The consumer is stopped and records keep coming: lag grows, committed stays.
    try (KafkaProducer<String, String> producer = producer(cluster, null)) {
      produce(producer, topic, 0, 10, 15);
      produce(producer, topic, 1, 5, 8);
    }
    offsets = timed(probe, Set.of(group)).offsets().get(group);
    assertThat(offsets.get(topic + "-0"))
        .isEqualTo(new PartitionOffsets(6, 15, Optional.of(T0.plusSeconds(6))));
    assertThat(offsets.get(topic + "-1"))
        .isEqualTo(new PartitionOffsets(5, 8, Optional.of(T0.plusSeconds(5))));
    assertThat(offsets.get(topic + "-0").lag()).isEqualTo(9);

    // Reachability only.
    ProbeReport none = timed(probe, Set.of());
    assertThat(none.reachable()).isTrue();
    assertThat(none.offsets()).isEmpty();
  }

  /**
   * A probe right after another reads its timestamps at once: the consumer's fetch that the
   * previous probe left waiting at the broker for new records returns immediately, rather than
   * after the broker's default {@code fetch.max.wait.ms} of 500 ms, more than this probe's whole
   * budget.
   */
  @Test
  void aProbeRightAfterAnotherReadsTheOldestRecordWithinAShortTimeout(TestCluster cluster)
      throws Exception {
    String topic = cluster.topic("orders");
    String group = cluster.topic("g");
    createKeepingOldRecords(cluster, 1, topic);
    TopicPartition p0 = new TopicPartition(topic, 0);
    try (KafkaProducer<String, String> producer = producer(cluster, null)) {
      produce(producer, topic, 0, 0, 10);
    }
    consumeAndCommit(cluster, group, Map.of(p0, 3L));
    Duration budget = Duration.ofMillis(400);
    KafkaProbe probe =
        KafkaProbe.builder(cluster.bootstrapServers())
            .timeout(budget)
            .kafkaProperty("client.id", cluster.topic("probe"))
            .build();
    open.push(probe);
    PartitionOffsets expected = new PartitionOffsets(3, 10, Optional.of(T0.plusSeconds(3)));
    // The first probes make the clients and connect, which may take longer than the budget.
    await()
        .atMost(BOUND)
        .until(
            () ->
                expected.equals(
                    probe.probe(Set.of(group)).offsets().get(group).get(p0.toString())));

    for (int i = 1; i <= 3; i++) {
      long start = System.nanoTime();
      ProbeReport report = probe.probe(Set.of(group));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(report.reachable()).as("probe %d reachable", i).isTrue();
      assertThat(report.offsets().get(group).get(p0.toString()))
          .as("probe %d, %d ms into its %d ms budget", i, took.toMillis(), budget.toMillis())
          .isEqualTo(expected);
      assertThat(took).as("probe %d duration", i).isLessThan(budget.plus(SLACK));
    }
  }

  @Test
  void endOffsetsAreTheLastStableOffsets(TestCluster cluster) throws Exception {
    String topic = cluster.topic("tx");
    String group = cluster.topic("eos");
    createKeepingOldRecords(cluster, 1, topic);
    TopicPartition p0 = new TopicPartition(topic, 0);
    try (KafkaProducer<String, String> producer = producer(cluster, null)) {
      produce(producer, topic, 0, 0, 3);
    }
    consumeAndCommit(cluster, group, Map.of(p0, 3L));
    KafkaProbe probe = probe(cluster.bootstrapServers(), cluster.topic("probe"));

    try (KafkaProducer<String, String> tx = producer(cluster, cluster.topic("tx-id"))) {
      tx.initTransactions();
      tx.beginTransaction();
      produce(tx, topic, 0, 3, 6); // written, not committed
      assertThat(timed(probe, Set.of(group)).offsets().get(group).get(p0.toString()))
          .as("an open transaction is not lag yet")
          .isEqualTo(new PartitionOffsets(3, 3, Optional.empty()));
      tx.commitTransaction();
    }
    // Offsets 3, 4, 5 and the commit marker at 6. The broker writes the markers after the commit
    // returns, so the last stable offset moves a moment later.
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(timed(probe, Set.of(group)).offsets().get(group).get(p0.toString()))
                    .isEqualTo(new PartitionOffsets(3, 7, Optional.of(T0.plusSeconds(3)))));
  }

  @Test
  void unreachableWithinTheTimeoutAndBackWhenRestored(TestCluster cluster) throws Exception {
    String topic = cluster.topic("orders");
    String group = cluster.topic("g");
    createKeepingOldRecords(cluster, 1, topic);
    try (KafkaProducer<String, String> producer = producer(cluster, null)) {
      produce(producer, topic, 0, 0, 4);
    }
    consumeAndCommit(cluster, group, Map.of(new TopicPartition(topic, 0), 1L));

    TcpProxy proxy = TcpProxy.start("127.0.0.1", cluster.kafka().brokerPort());
    open.push(proxy);
    proxy.cut(); // every connection to Kafka is reset
    String clientId = cluster.topic("probe");
    KafkaProbe probe = probe(proxy.address(), clientId);
    for (int i = 0; i < 3; i++) {
      if (i == 2) {
        proxy.blackhole(); // connections stay open, nothing answers
      }
      ProbeReport report = timed(probe, Set.of(group));
      assertThat(report.reachable()).isFalse();
      assertThat(report.system()).isEqualTo("kafka");
      assertThat(report.error()).hasValueSatisfying(e -> assertThat(e).contains("within 1s"));
      assertThat(report.offsets()).isEmpty();
    }

    proxy.restore();
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> timed(probe, Set.of(group)).reachable());
    assertThat(probe.probe(Set.of(group)).offsets().get(group).get(topic + "-0"))
        .isEqualTo(new PartitionOffsets(1, 4, Optional.of(T0.plusSeconds(1))));

    probe.close();
    probe.close(); // safe twice
    assertThatThrownBy(() -> probe.probe(Set.of())).isInstanceOf(IllegalStateException.class);
    assertThat(threadsNamed(clientId)).as("client threads after close").isEmpty();
  }

  @Test
  void unreachableWhenNothingListens() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    KafkaProbe probe = probe("127.0.0.1:" + port, "probe-of-nothing");
    ProbeReport report = timed(probe, Set.of("any"));
    assertThat(report.reachable()).isFalse();
    assertThat(report.error()).hasValueSatisfying(e -> assertThat(e).contains("127.0.0.1:" + port));
  }

  @Test
  void describesTheClusterAndReportsNoAnswerWithinTheTimeout(TestCluster cluster) throws Exception {
    KafkaCluster described = probe(cluster.bootstrapServers(), "probe-describe").describeCluster();
    assertThat(described.reachable()).isTrue();
    assertThat(described.bootstrapServers()).isEqualTo(cluster.bootstrapServers());
    assertThat(described.clusterId()).hasValue(cluster.kafka().clusterId());
    assertThat(described.brokers())
        .singleElement()
        .satisfies(b -> assertThat(b.port()).isEqualTo(cluster.kafka().brokerPort()));
    assertThat(described.controller()).isPresent();
    assertThat(described.error()).isEmpty();

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    KafkaProbe nothing = probe("127.0.0.1:" + port, "probe-describe-nothing");
    long start = System.nanoTime();
    KafkaCluster none = nothing.describeCluster();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(PROBE_TIMEOUT.plus(SLACK).plusSeconds(1));
    assertThat(none.reachable()).isFalse();
    assertThat(none.brokers()).isEmpty();
    assertThat(none.error()).hasValue("no answer within 1000 ms");
    nothing.close();
    assertThatThrownBy(nothing::describeCluster).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> KafkaProbe.builder(null)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaProbe.builder(" ")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaProbe.builder("kafka1"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("kafka1");
    assertThatThrownBy(() -> KafkaProbe.builder("kafka1:9092,"))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaProbe.builder("k:9092").timeout(Duration.ZERO))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> KafkaProbe.builder("k:9092").timeout(Duration.ofHours(1)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaProbe.builder("k:9092").maxTimestampReads(-1))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaProbe.builder("k:9092").kafkaProperty(" ", "x"))
        .isInstanceOf(InvalidInputException.class);

    KafkaProbe probe = probe("127.0.0.1:9", "probe-of-bad-input");
    assertThatThrownBy(() -> probe.probe(null)).isInstanceOf(InvalidInputException.class);
    Set<String> withBlank = new HashSet<>(List.of("ok", " "));
    assertThatThrownBy(() -> probe.probe(withBlank)).isInstanceOf(InvalidInputException.class);
    Set<String> withNull = new HashSet<>();
    withNull.add(null);
    assertThatThrownBy(() -> probe.probe(withNull)).isInstanceOf(InvalidInputException.class);
  }

  static List<String> threadsNamed(String part) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.contains(part))
        .toList();
  }
}
