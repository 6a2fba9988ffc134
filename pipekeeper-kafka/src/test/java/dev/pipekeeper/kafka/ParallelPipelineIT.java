package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.BooleanNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PARALLEL pipelines against a real ZooKeeper and a real KRaft broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class ParallelPipelineIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private Pipekeeper connect(TestCluster cluster, String id) {
    Pipekeeper pk = KafkaTopics.connect(cluster, id, Duration.ofSeconds(10));
    open.push(pk);
    return pk;
  }

  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  private Pipeline upperCase(TestCluster cluster, String id, String name, Guarantee guarantee) {
    String out = cluster.topic("out");
    Pipeline pipeline =
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(connect(cluster, id))
            .bootstrapServers(cluster.bootstrapServers())
            .topics(cluster.topic("in"))
            .guarantee(guarantee)
            .deadLetterTopic(cluster.topic("dlq"))
            .metrics(metrics)
            .healthInterval(Duration.ofMillis(200))
            .processor(
                (record, ctx) -> {
                  if (ctx.lease().isPresent() || ctx.unit().isPresent()) {
                    throw new IllegalStateException("a PARALLEL member has no lease and no unit");
                  }
                  if (record.value().equals("poison")) {
                    throw new IllegalArgumentException("cannot enrich " + record.value());
                  }
                  ctx.emit(out, record.key(), record.value().toUpperCase(java.util.Locale.ROOT));
                })
            .build();
    open.push(pipeline);
    return pipeline.start();
  }

  @Test
  void aCloseInTheMiddleOfABatchCommitsItAndStopsCleanly(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 1, in, out);
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Function<String, Pipeline> instance =
        id ->
            Pipeline.builder(
                    "closing", Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
                .pipekeeper(connect(cluster, id))
                .bootstrapServers(cluster.bootstrapServers())
                .topics(in)
                .guarantee(Guarantee.AT_LEAST_ONCE)
                .processor(
                    (record, ctx) -> {
                      if (record.value().equals("slow")) {
                        entered.countDown();
                        try {
                          release.await(
                              BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      }
                      ctx.emit(
                          out, record.key(), record.value().toUpperCase(java.util.Locale.ROOT));
                    })
                .build();
    Pipeline a = instance.apply("a");
    open.push(a);
    a.start();
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.pipekeeper");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      KafkaTopics.produce(cluster, in, "k", "slow");
      assertThat(entered.await(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
          .isTrue();
      Thread closer = new Thread(a::close, "test-closer");
      closer.start();
      // close() has woken the consumer and waits for the loop: the batch is still in the handler
      await()
          .atMost(BOUND)
          .until(
              () ->
                  java.util.Arrays.stream(closer.getStackTrace())
                      .anyMatch(frame -> frame.getMethodName().equals("awaitStopped")));
      release.countDown();
      closer.join(BOUND.toMillis());
      assertThat(closer.isAlive()).isFalse();
      assertThat(a.state()).isEqualTo(Pipeline.State.CLOSED);
      assertThat(logs.list)
          .as("a close is not an error")
          .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR));
    } finally {
      logger.detachAppender(logs);
    }
    // the batch was committed as it closed: the next instance starts after it
    Pipeline b = instance.apply("b");
    open.push(b);
    b.start();
    KafkaTopics.produce(cluster, in, "k", "after");
    await().atMost(BOUND).until(() -> KafkaTopics.readCommitted(cluster, out).size() >= 2);
    Map<String, Long> counts = KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, out));
    assertThat(counts).containsEntry("SLOW", 1L).containsEntry("AFTER", 1L).hasSize(2);
  }

  @Test
  void exactlyOnceThroughJoinsAndALeave(TestCluster cluster) throws Exception {
    KafkaTopics.create(cluster, 4, cluster.topic("in"));
    KafkaTopics.create(cluster, 1, cluster.topic("out"), cluster.topic("dlq"));
    String name = "enricher";
    Pipeline a = upperCase(cluster, "a", name, Guarantee.EXACTLY_ONCE);
    KafkaTopics.produce(cluster, cluster.topic("in"), 0, 300);
    await().atMost(BOUND).until(() -> a.processed() >= 300);

    Pipeline b = upperCase(cluster, "b", name, Guarantee.EXACTLY_ONCE); // a rebalance
    await().atMost(BOUND).until(() -> b.partitions().size() == 2 && a.partitions().size() == 2);
    KafkaTopics.produce(cluster, cluster.topic("in"), 300, 600);
    await().atMost(BOUND).until(() -> a.processed() + b.processed() >= 600);
    assertThat(b.processed()).as("b processed its partitions").isPositive();

    a.close(); // a graceful leave while records keep coming
    KafkaTopics.produce(cluster, cluster.topic("in"), 600, 900);
    await()
        .atMost(BOUND)
        .until(() -> KafkaTopics.readCommitted(cluster, cluster.topic("out")).size() >= 900);

    Map<String, Long> counts =
        KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, cluster.topic("out")));
    assertThat(counts).hasSize(900);
    assertThat(counts.values()).as("no duplicates").containsOnly(1L);
    assertThat(counts).containsKeys("VALUE-0", "VALUE-599", "VALUE-899");
  }

  @Test
  void exactlyOnceWhenAMemberProcessIsKilledMidStream(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 4, in);
    KafkaTopics.create(cluster, 1, out, cluster.topic("dlq"));
    String name = "crashing";
    try (ChildJvm victim =
        PipelineProcess.start(cluster, name, "victim", Mode.PARALLEL, Duration.ofMillis(10000))) {
      victim.awaitLine("STARTED", BOUND);
      KafkaTopics.produce(cluster, in, 0, 2000);
      // The victim is killed in the middle of the stream, most likely inside a transaction.
      await().atMost(BOUND).until(() -> KafkaTopics.lastProcessed(victim) >= 500);
      Pipeline survivor =
          Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
              .pipekeeper(connect(cluster, "survivor"))
              .bootstrapServers(cluster.bootstrapServers())
              .topics(in)
              .kafkaProperty("session.timeout.ms", 6000)
              .kafkaProperty("heartbeat.interval.ms", 1000)
              .processor(
                  (record, ctx) ->
                      ctx.emit(
                          out, record.key(), record.value().toUpperCase(java.util.Locale.ROOT)))
              .build();
      open.push(survivor);
      survivor.start();
      victim.kill();
      KafkaTopics.produce(cluster, in, 2000, 2500);

      await().atMost(BOUND).until(() -> KafkaTopics.readCommitted(cluster, out).size() >= 2500);
      Map<String, Long> counts = KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, out));
      assertThat(counts).hasSize(2500);
      assertThat(counts.values()).as("no duplicates after the kill").containsOnly(1L);
    }
  }

  @Test
  void aPoisonRecordGoesToTheDeadLetterTopicAndThePipelineKeepsRunning(TestCluster cluster)
      throws Exception {
    KafkaTopics.create(cluster, 1, cluster.topic("in"), cluster.topic("out"), cluster.topic("dlq"));
    Pipeline p = upperCase(cluster, "a", "poisoned", Guarantee.EXACTLY_ONCE);
    KafkaTopics.produce(cluster, cluster.topic("in"), "k1", "fine");
    KafkaTopics.produce(cluster, cluster.topic("in"), "k2", "poison");
    KafkaTopics.produce(cluster, cluster.topic("in"), "k3", "also fine");

    await().atMost(BOUND).until(() -> p.processed() == 3);
    assertThat(p.deadLettered()).isEqualTo(1);
    assertThat(p.state()).isEqualTo(Pipeline.State.RUNNING);
    assertThat(KafkaTopics.readCommitted(cluster, cluster.topic("out")))
        .extracting(ConsumerRecord::value)
        .containsExactly("FINE", "ALSO FINE");
    List<ConsumerRecord<String, String>> dead =
        KafkaTopics.readCommitted(cluster, cluster.topic("dlq"));
    assertThat(dead).hasSize(1);
    ConsumerRecord<String, String> poison = dead.get(0);
    assertThat(poison.key()).isEqualTo("k2");
    assertThat(poison.value()).isEqualTo("poison");
    Function<String, String> header =
        key -> new String(poison.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    assertThat(header.apply(PipelineHeaders.ERROR_MESSAGE)).isEqualTo("cannot enrich poison");
    assertThat(header.apply(PipelineHeaders.SOURCE_OFFSET)).isEqualTo("1");
    assertThat(recordsCounted("poisoned", "processed")).isEqualTo(3);
    assertThat(recordsCounted("poisoned", "dead_lettered")).isEqualTo(1);
    p.close();
    assertThat(metrics.find("pipekeeper.pipeline.records").meters())
        .as("a closed pipeline's meters are removed")
        .isEmpty();
  }

  private double recordsCounted(String pipeline, String outcome) {
    return metrics
        .get("pipekeeper.pipeline.records")
        .tags("pipeline", pipeline, "outcome", outcome)
        .functionCounter()
        .count();
  }

  @Test
  void pausingIsAConfigChangeThatTakesEffectLive(TestCluster cluster) throws Exception {
    KafkaTopics.create(cluster, 2, cluster.topic("in"), cluster.topic("out"), cluster.topic("dlq"));
    Pipekeeper admin = connect(cluster, "admin");
    Scope scope = Scope.pipeline("pausable");
    admin
        .config()
        .set(scope, PipelineKeys.PAUSED.name(), BooleanNode.TRUE, ChangeOptions.by("test"));
    Pipeline p = upperCase(cluster, "a", "pausable", Guarantee.AT_LEAST_ONCE);
    await().atMost(BOUND).until(() -> p.state() == Pipeline.State.PAUSED);
    KafkaTopics.produce(cluster, cluster.topic("in"), 0, 20);
    await().during(Duration.ofSeconds(2)).atMost(BOUND).until(() -> p.processed() == 0);
    // its health says so: paused, with the records it has not consumed as lag
    await()
        .atMost(BOUND)
        .until(
            () -> admin.health().reports("pausable"),
            reports ->
                reports.size() == 1
                    && reports.get(0).state().equals("PAUSED")
                    && reports.get(0).totalLag() == 20);

    admin
        .config()
        .set(scope, PipelineKeys.PAUSED.name(), BooleanNode.FALSE, ChangeOptions.by("test"));
    await().atMost(BOUND).until(() -> p.processed() == 20);
    assertThat(p.state()).isEqualTo(Pipeline.State.RUNNING);
    HealthReport health =
        await()
            .atMost(BOUND)
            .until(
                () -> admin.health().reports("pausable").get(0),
                report ->
                    report.state().equals("RUNNING")
                        && report.processed() == 20
                        && report.totalLag() == 0);
    assertThat(health.member()).isEqualTo("a");
    assertThat(health.lastProgress()).isNotNull();
    assertThat(health.errors()).isZero();
    assertThat(health.appliedConfig()).containsKey("pipeline/pausable");
    p.close();
    assertThat(admin.health().reports("pausable")).as("closing removes the record").isEmpty();
    assertThat(KafkaTopics.countsByValue(KafkaTopics.readCommitted(cluster, cluster.topic("out"))))
        .hasSize(20);
  }

  @Test
  void theRetryCountIsALiveParameter(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    KafkaTopics.create(cluster, 1, in, cluster.topic("dlq"));
    Map<String, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();
    Pipeline p =
        Pipeline.builder(
                "retrying", Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(connect(cluster, "a"))
            .bootstrapServers(cluster.bootstrapServers())
            .topics(in)
            .deadLetterTopic(cluster.topic("dlq"))
            .processor(
                (record, ctx) -> {
                  attempts.merge(record.value(), 1, Integer::sum);
                  throw new IllegalStateException("always fails");
                })
            .build();
    open.push(p);
    p.start();
    KafkaTopics.produce(cluster, in, "k", "first");
    await().atMost(BOUND).until(() -> p.deadLettered() == 1);
    assertThat(attempts).containsEntry("first", 3); // the builder's default: 2 retries

    Pipekeeper admin = connect(cluster, "admin");
    admin
        .config()
        .set(
            Scope.pipeline("retrying"),
            PipelineKeys.RETRIES.name(),
            com.fasterxml.jackson.databind.node.IntNode.valueOf(0),
            ChangeOptions.by("test"));
    await()
        .atMost(BOUND)
        .until(
            () ->
                admin.config().applied().get("a") != null
                    && admin
                            .config()
                            .applied()
                            .get("a")
                            .versions()
                            .getOrDefault("pipeline/retrying", 0)
                        > 0);
    KafkaTopics.produce(cluster, in, "k", "second");
    await().atMost(BOUND).until(() -> p.deadLettered() == 2);
    assertThat(attempts).as("tried once, without a restart").containsEntry("second", 1);
    assertThat(p.state()).isEqualTo(Pipeline.State.RUNNING);
  }

  @Test
  void aBuilderWithoutInputTopicsIsRefused(TestCluster cluster) {
    assertThatThrownBy(
            () ->
                Pipeline.builder(
                        "nothing",
                        Serdes.String(),
                        Serdes.String(),
                        Serdes.String(),
                        Serdes.String())
                    .pipekeeper(connect(cluster, "a"))
                    .bootstrapServers("127.0.0.1:9")
                    .processor((record, ctx) -> {})
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("pipeline nothing: set at least one input topic");
    assertThatThrownBy(
            () ->
                Pipeline.builder(
                    "bad/name", Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("pipeline name 'bad/name' is not valid");
  }
}
