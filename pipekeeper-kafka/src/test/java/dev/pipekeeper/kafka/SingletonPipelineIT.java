package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.internal.KafkaNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SINGLETON pipelines against a real ZooKeeper and a real KRaft broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class SingletonPipelineIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  /** The epochs of the valid leases the processors saw in their context. */
  private final Set<Long> epochsSeen = ConcurrentHashMap.newKeySet();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private Pipeline singleton(TestCluster cluster, String id, String name) {
    Pipekeeper pk = KafkaTopics.connect(cluster, id, Duration.ofSeconds(2));
    open.push(pk);
    String out = cluster.topic("out");
    Pipeline pipeline =
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .bootstrapServers(cluster.bootstrapServers())
            .topics(cluster.topic("in"))
            .mode(Mode.SINGLETON)
            .processor(
                (record, ctx) -> {
                  ctx.lease().filter(Lease::isValid).ifPresent(l -> epochsSeen.add(l.epoch()));
                  ctx.emit(out, record.key(), record.value().toUpperCase(Locale.ROOT));
                })
            .build();
    open.push(pipeline);
    return pipeline.start();
  }

  private static Set<Long> epochs(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(SingletonPipelineIT::epoch).collect(Collectors.toSet());
  }

  private static long epoch(ConsumerRecord<String, String> record) {
    return Long.parseLong(
        new String(
            record.headers().lastHeader(PipelineHeaders.EPOCH).value(), StandardCharsets.UTF_8));
  }

  @Test
  void onlyTheLeaderRunsAndItsSuccessorGoesOnWhereItStopped(TestCluster cluster) throws Exception {
    KafkaTopics.create(cluster, 3, cluster.topic("in"));
    KafkaTopics.create(cluster, 1, cluster.topic("out"));
    Pipeline a = singleton(cluster, "a", "scheduler");
    Pipeline b = singleton(cluster, "b", "scheduler");
    KafkaTopics.produce(cluster, cluster.topic("in"), 0, 300);
    await().atMost(BOUND).until(() -> a.processed() + b.processed() == 300);
    assertThat(List.of(a.processed(), b.processed())).as("one instance ran").contains(0L);
    Pipeline leader = a.processed() > 0 ? a : b;
    Pipeline follower = leader == a ? b : a;
    assertThat(leader.partitions()).hasSize(3);
    assertThat(follower.partitions()).isEmpty();

    leader.close();
    KafkaTopics.produce(cluster, cluster.topic("in"), 300, 600);
    await().atMost(BOUND).until(() -> follower.processed() == 300);
    List<ConsumerRecord<String, String>> out =
        KafkaTopics.readCommitted(cluster, cluster.topic("out"));
    Map<String, Long> counts = KafkaTopics.countsByValue(out);
    assertThat(counts).hasSize(600);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
    assertThat(epochs(out)).as("two terms, two epochs").hasSize(2).isEqualTo(epochsSeen);
  }

  /**
   * While an open transaction holds offsets of the pipeline's group, its committed offsets are
   * unstable and a new leader's fetch of them waits (so it does after a broker restart, or while an
   * earlier term's transaction is being ended). The leader waits for as long as its lease is valid,
   * rather than fail when the fetch times out and keep the role from the others (found by the fault
   * suite: a SINGLETON whose new leader's fetch outlasted a broker restart stopped for good).
   */
  @Test
  void aNewLeaderWaitsForUnstableCommittedOffsetsRatherThanFail(TestCluster cluster)
      throws Exception {
    String in = cluster.topic("in");
    KafkaTopics.create(cluster, 1, in, cluster.topic("out"));
    String name = "unstable";
    try (KafkaProducer<String, String> holder =
            new KafkaProducer<>(
                Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "unstable-holder"),
                new StringSerializer(),
                new StringSerializer());
        KafkaConsumer<String, String> group =
            new KafkaConsumer<>(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG,
                    KafkaNames.groupId(name)),
                new StringDeserializer(),
                new StringDeserializer())) {
      holder.initTransactions();
      holder.beginTransaction();
      holder.sendOffsetsToTransaction(
          Map.of(new TopicPartition(in, 0), new OffsetAndMetadata(0)), group.groupMetadata());
      KafkaTopics.produce(cluster, in, 0, 50);

      Pipekeeper pk = KafkaTopics.connect(cluster, "a", Duration.ofSeconds(2));
      open.push(pk);
      Pipeline a =
          Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
              .pipekeeper(pk)
              .bootstrapServers(cluster.bootstrapServers())
              .topics(in)
              .mode(Mode.SINGLETON)
              .kafkaProperty("consumer.default.api.timeout.ms", 2000)
              .processor(
                  (record, ctx) -> ctx.emit(cluster.topic("out"), record.key(), record.value()))
              .build();
      open.push(a);
      a.start();
      // three times the fetch's own timeout: before, the pipeline failed after the first
      await()
          .during(Duration.ofSeconds(6))
          .atMost(BOUND)
          .until(() -> a.state() != Pipeline.State.FAILED && a.processed() == 0);
      holder.abortTransaction();
      await().atMost(BOUND).until(() -> a.processed() == 50);
    }
    Map<String, Long> counts =
        KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, cluster.topic("out")));
    assertThat(counts).hasSize(50);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
  }

  /**
   * A stale term (one whose {@code initTransactions} outlasted its own lease) may fence the leader
   * in Kafka. The leader's lease stays valid, so once a session timeout has passed it takes the
   * fence for a stale term's, fences it back and goes on, rather than wait for ever for its lease
   * to end.
   */
  @Test
  void aLeaderFencedByAStaleTermFencesItBackAfterASessionTimeout(TestCluster cluster)
      throws Exception {
    String in = cluster.topic("in");
    KafkaTopics.create(cluster, 1, in, cluster.topic("out"));
    Pipeline a = singleton(cluster, "a", "refenced");
    KafkaTopics.produce(cluster, in, 0, 50);
    await().atMost(BOUND).until(() -> a.processed() == 50);
    try (KafkaProducer<String, String> stale =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                KafkaNames.singletonTransactionalId("refenced")),
            new StringSerializer(),
            new StringSerializer())) {
      stale.initTransactions(); // a's producer is fenced now
    }
    KafkaTopics.produce(cluster, in, 50, 100);
    await().atMost(BOUND).until(() -> a.processed() == 100);
    Map<String, Long> counts =
        KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, cluster.topic("out")));
    assertThat(counts).hasSize(100);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
  }

  @Test
  void aPausedLeaderCannotCommitAfterItsSuccessorStarted(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 2, in);
    KafkaTopics.create(cluster, 1, out);
    String name = "poller";
    Pipekeeper observer = connect(cluster, "observer");
    Duration session = Duration.ofMillis(2000);
    try (ChildJvm a = PipelineProcess.start(cluster, name, "a", Mode.SINGLETON, session);
        ChildJvm b = PipelineProcess.start(cluster, name, "b", Mode.SINGLETON, session)) {
      a.awaitLine("STARTED", BOUND);
      b.awaitLine("STARTED", BOUND);
      Map<String, ChildJvm> members = Map.of("a", a, "b", b);
      int produced = 0;
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        KafkaTopics.produce(cluster, in, produced, produced + 600);
        produced += 600;
        String leaderId = await().atMost(BOUND).until(() -> leader(observer, name), l -> l != null);
        ChildJvm leader = members.get(leaderId);
        String successorId = leaderId.equals("a") ? "b" : "a";
        ChildJvm successor = members.get(successorId);
        int committedBefore = KafkaTopics.readCommitted(cluster, out).size();
        // the leader's term has committed output of its own
        await()
            .atMost(BOUND)
            .until(() -> KafkaTopics.readCommitted(cluster, out).size() > committedBefore);
        long successorBefore = KafkaTopics.lastProcessed(successor);
        leader.pause(); // mid-stream, most likely inside a transaction
        await()
            .atMost(BOUND)
            .until(
                () ->
                    successorId.equals(leader(observer, name))
                        && KafkaTopics.lastProcessed(successor) > successorBefore);
        leader.resume(); // its term is over: whatever it tries to commit now is refused
      }
      int total = produced + 100;
      KafkaTopics.produce(cluster, in, produced, total);
      await().atMost(BOUND).until(() -> KafkaTopics.readCommitted(cluster, out).size() >= total);

      List<ConsumerRecord<String, String>> output = KafkaTopics.readCommitted(cluster, out);
      Map<String, Long> counts = KafkaTopics.countsByValue(output);
      assertThat(counts).hasSize(total);
      assertThat(counts.values()).as("no duplicates over %d cycles", CYCLES).containsOnly(1L);
      List<Long> epochOrder = output.stream().map(SingletonPipelineIT::epoch).toList();
      assertThat(epochOrder)
          .as("in commit order, no record of an older term after one of a newer term")
          .isSorted();
      assertThat(new java.util.HashSet<>(epochOrder))
          .as("a term per cycle, and the first: %s", runs(epochOrder))
          .hasSize(CYCLES + 1);
    }
  }

  private static final int CYCLES = 3;

  /** "epoch×count" for each run of equal epochs, in order. */
  private static String runs(List<Long> epochs) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < epochs.size(); ) {
      int j = i;
      while (j < epochs.size() && epochs.get(j).equals(epochs.get(i))) {
        j++;
      }
      text.append(epochs.get(i)).append('×').append(j - i).append(' ');
      i = j;
    }
    return text.toString().strip();
  }

  /** The member that holds the pipeline's singleton role now, or null. */
  private static String leader(Pipekeeper observer, String pipeline) {
    return observer.inspector().roles().stream()
        .filter(role -> role.role().equals(pipeline + ".singleton"))
        .findFirst()
        .flatMap(role -> role.leader())
        .orElse(null);
  }

  @Test
  void aLeaderStillCommittingUntilTheFenceIsFollowedWhereItsLastCommitEnded(TestCluster cluster)
      throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 2, in);
    KafkaTopics.create(cluster, 1, out);
    int total = 3000; // far more than the zombie commits before the new leader fences it
    KafkaTopics.produce(cluster, in, 0, total);
    String name = "fenced";
    CommittingZombie zombie = CommittingZombie.start(cluster, name, in, out, 3);
    open.push(zombie);
    await().atMost(BOUND).until(() -> zombie.commits() >= 20 || zombie.done());
    assertThat(zombie.unexpected()).as("the zombie's own error").isNull();
    assertThat(zombie.fence()).as("fenced before a leader started").isNull();

    Pipeline leader = singleton(cluster, "a", name);
    await().atMost(BOUND).alias("the zombie fenced, its attempts after made").until(zombie::done);
    assertThat(zombie.unexpected()).as("the zombie's own error").isNull();
    assertThat(zombie.fence())
        .as("the new leader's initTransactions fenced the zombie mid-stream")
        .isInstanceOfAny(ProducerFencedException.class, InvalidProducerEpochException.class);
    assertThat(zombie.abortedValues()).as("its transaction open at the fence").isNotEmpty();
    assertThat(zombie.failedAfterFence())
        .as("its transactions after the fence")
        .hasSize(CommittingZombie.ATTEMPTS_AFTER_FENCE)
        .allSatisfy(
            refused -> assertThat(fencing(refused)).as("refused as fenced: %s", refused).isTrue());
    assertThat(zombie.committedAfterFence()).as("committed after the fence").isEmpty();

    List<String> fromZombie = zombie.committedValues();
    await()
        .atMost(BOUND)
        .alias("the leader processed what the zombie had not committed")
        .until(() -> fromZombie.size() + leader.processed() >= total);
    List<ConsumerRecord<String, String>> output =
        await()
            .atMost(BOUND)
            .until(() -> KafkaTopics.readCommitted(cluster, out), o -> o.size() >= total);
    Map<String, Long> counts = KafkaTopics.countsByValue(output);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
    assertThat(counts.keySet())
        .as("no gap")
        .isEqualTo(
            IntStream.range(0, total).mapToObj(i -> "VALUE-" + i).collect(Collectors.toSet()));
    List<ConsumerRecord<String, String>> zombieOutput =
        output.stream().filter(r -> r.headers().lastHeader(PipelineHeaders.EPOCH) == null).toList();
    assertThat(zombieOutput)
        .as("the zombie's output: its committed transactions, nothing of the aborted one")
        .map(ConsumerRecord::value)
        .containsExactlyElementsOf(fromZombie);
    assertThat(output.subList(0, zombieOutput.size()))
        .as("the zombie's output comes before the leader's")
        .isEqualTo(zombieOutput);
    assertThat(epochs(output.subList(zombieOutput.size(), output.size())))
        .as("the leader's output, of one term")
        .hasSize(1);

    // Per input partition, the leader's first record is the one after the zombie's last commit.
    Map<String, ConsumerRecord<String, String>> sources =
        KafkaTopics.readCommitted(cluster, in).stream()
            .collect(Collectors.toMap(r -> r.value().toUpperCase(Locale.ROOT), r -> r));
    Map<TopicPartition, Long> leaderFirst = new HashMap<>();
    for (ConsumerRecord<String, String> record :
        output.subList(zombieOutput.size(), output.size())) {
      ConsumerRecord<String, String> source = sources.get(record.value());
      leaderFirst.merge(
          new TopicPartition(source.topic(), source.partition()), source.offset(), Math::min);
    }
    Map<TopicPartition, Long> zombieEnds = zombie.committedOffsets();
    assertThat(zombieEnds).as("the zombie committed progress in both partitions").hasSize(2);
    assertThat(leaderFirst)
        .as("per partition, the leader's first offset: the zombie's last commit's end")
        .isEqualTo(zombieEnds);
  }

  /** Whether {@code e} or a cause of it says the producer was fenced. */
  private static boolean fencing(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  @Test
  void closedPipelinesLeaveNoThreadMemberOrLeadershipBehind(TestCluster cluster) throws Exception {
    KafkaTopics.create(cluster, 1, cluster.topic("in"), cluster.topic("out"));
    Pipekeeper observer = connect(cluster, "observer");
    Set<String> before = threadNames();
    Pipeline singleton = singleton(cluster, "a", "tidy");
    await().atMost(BOUND).until(() -> singleton.partitions().size() == 1);
    // A follower stands by with the clients of its next term already made.
    Pipeline follower = singleton(cluster, "c", "tidy");
    Pipeline parallel =
        Pipeline.builder(
                "tidy-parallel", Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(connect(cluster, "b"))
            .bootstrapServers(cluster.bootstrapServers())
            .topics(cluster.topic("in"))
            .processor(
                (record, ctx) -> ctx.emit(cluster.topic("out"), record.key(), record.value()))
            .build();
    open.push(parallel);
    parallel.start();
    KafkaTopics.produce(cluster, cluster.topic("in"), 0, 10);
    await().atMost(BOUND).until(() -> singleton.processed() == 10 && parallel.processed() == 10);
    assertThat(follower.processed()).isZero();

    follower.close(); // first, so that it never leads
    singleton.close();
    parallel.close();
    assertThat(observer.membership().members("tidy")).isEmpty();
    assertThat(observer.membership().members("tidy-parallel")).isEmpty();
    assertThat(observer.health().groups()).doesNotContain("tidy", "tidy-parallel");
    assertThat(observer.inspector().roles())
        .filteredOn(role -> role.role().equals("tidy.singleton"))
        .allSatisfy(role -> assertThat(role.contenders()).isEmpty());
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(threadNames())
                    .as("threads left by the closed pipelines")
                    .filteredOn(
                        name ->
                            name.startsWith("pipekeeper-pipeline")
                                || name.startsWith("pipekeeper-health")
                                || name.startsWith("kafka-producer-network-thread")
                                || name.startsWith("kafka-coordinator-heartbeat-thread"))
                    .isSubsetOf(before));
  }

  private Pipekeeper connect(TestCluster cluster, String id) {
    Pipekeeper pk = KafkaTopics.connect(cluster, id, Duration.ofSeconds(10));
    open.push(pk);
    return pk;
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
