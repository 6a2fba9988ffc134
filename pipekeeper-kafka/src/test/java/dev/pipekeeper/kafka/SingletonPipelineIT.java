package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SINGLETON pipelines against a real ZooKeeper and a real KRaft broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class SingletonPipelineIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

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
                (record, ctx) ->
                    ctx.emit(out, record.key(), record.value().toUpperCase(Locale.ROOT)))
            .build();
    open.push(pipeline);
    return pipeline.start();
  }

  private static Set<Long> epochs(List<ConsumerRecord<String, String>> records) {
    return records.stream()
        .map(
            r ->
                Long.parseLong(
                    new String(
                        r.headers().lastHeader("pipekeeper.epoch").value(),
                        StandardCharsets.UTF_8)))
        .collect(Collectors.toSet());
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
    assertThat(epochs(out)).as("two terms, two epochs").hasSize(2);
  }

  @Test
  void aPausedLeaderCannotCommitAfterItsSuccessorStarted(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 2, in);
    KafkaTopics.create(cluster, 1, out);
    String name = "poller";
    try (ChildJvm old =
        PipelineProcess.start(cluster, name, "old", Mode.SINGLETON, Duration.ofMillis(2000))) {
      old.awaitLine("STARTED", BOUND);
      KafkaTopics.produce(cluster, in, 0, 1500);
      await().atMost(BOUND).until(() -> KafkaTopics.lastProcessed(old) >= 200);
      Pipeline successor = singleton(cluster, "successor", name);
      old.pause(); // mid-stream, most likely inside a transaction
      await().atMost(BOUND).until(() -> successor.processed() > 0);
      old.resume(); // its term is over: whatever it tries to commit now is refused
      await().atMost(BOUND).until(() -> KafkaTopics.readCommitted(cluster, out).size() >= 1500);
      KafkaTopics.produce(cluster, in, 1500, 1600);
      await().atMost(BOUND).until(() -> KafkaTopics.readCommitted(cluster, out).size() >= 1600);
      Map<String, Long> counts = KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, out));
      assertThat(counts).hasSize(1600);
      assertThat(counts.values()).as("no duplicates").containsOnly(1L);
    }
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
