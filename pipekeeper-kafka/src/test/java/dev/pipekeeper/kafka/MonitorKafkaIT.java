package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.monitor.KafkaAlertSink;
import dev.pipekeeper.kafka.monitor.KafkaProbe;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitor with Kafka: a consumer stopped while its input keeps coming is found stalled, late
 * and behind (from the broker's offsets, not from the consumer); Kafka going away; every transition
 * once on the alert topic.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class MonitorKafkaIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private <T extends AutoCloseable> T opened(T resource) {
    open.push(resource);
    return resource;
  }

  /** What a sink was given, in order. */
  private static final class Recording implements AlertSink {
    private final List<Alert> delivered = new ArrayList<>();

    @Override
    public String name() {
      return "test";
    }

    @Override
    public synchronized void deliver(Alert alert) {
      delivered.add(alert);
    }

    synchronized List<Alert> delivered() {
      return List.copyOf(delivered);
    }

    synchronized List<AlertState> states(String key) {
      return delivered.stream().filter(a -> a.key().equals(key)).map(Alert::state).toList();
    }
  }

  private Pipeline copier(Pipekeeper pk, TestCluster cluster, String name) {
    String out = cluster.topic("out");
    return opened(
            Pipeline.builder(
                    name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
                .pipekeeper(pk)
                .bootstrapServers(cluster.bootstrapServers())
                .topics(cluster.topic("in"))
                .guarantee(Guarantee.AT_LEAST_ONCE)
                .healthInterval(Duration.ofMillis(200))
                .processor((record, ctx) -> ctx.emit(out, record.key(), record.value()))
                .build())
        .start();
  }

  @Test
  void aStoppedConsumerWhoseInputKeepsComingIsStalledLateAndBehind(TestCluster cluster)
      throws Exception {
    String name = cluster.topic("p");
    KafkaTopics.create(cluster, 2, cluster.topic("in"), cluster.topic("out"));
    String alertTopic = cluster.topic("alerts");
    Pipekeeper pk = opened(KafkaTopics.connect(cluster, "monitor", Duration.ofSeconds(10)));
    Recording sink = new Recording();
    pk.config()
        .set(
            Scope.global(),
            Rules.KEY,
            JSON.readTree(
                "[{\"name\": \"stalled\", \"kind\": \"consumer-stalled\", \"window\": \"2s\"},"
                    + " {\"name\": \"behind\", \"kind\": \"consumer-lag\", \"threshold\": 50,"
                    + " \"window\": \"2s\"},"
                    + " {\"name\": \"late\", \"kind\": \"lag-time\", \"after\": \"3s\"},"
                    + " {\"name\": \"stuck\", \"kind\": \"no-progress\", \"after\": \"2s\"}]"),
            ChangeOptions.by("test"));
    Pipeline pipeline =
        copier(opened(KafkaTopics.connect(cluster, "w1", Duration.ofSeconds(10))), cluster, name);
    KafkaTopics.produce(cluster, cluster.topic("in"), 0, 20);
    await().atMost(BOUND).until(() -> pipeline.processed() == 20);
    Monitor monitor =
        opened(
            pk.monitor()
                .evaluationInterval(Duration.ofMillis(250))
                .probe(KafkaProbe.builder(cluster.bootstrapServers()).build())
                .sink(sink)
                .sink(
                    KafkaAlertSink.builder(cluster.bootstrapServers(), alertTopic)
                        .createTopic(1, 1)
                        .build())
                .start());
    await().atMost(BOUND).until(monitor::isLeading);
    try (Feeder feeder = new Feeder(cluster, cluster.topic("in"))) {
      // a consumer that keeps up is none of these, over more than a window
      // leading comes before the first evaluation (longer with the default rules in force too)
      await().atMost(BOUND).until(() -> monitor.lastEvaluation().isPresent());
      long evaluations = monitor.lastEvaluation().map(e -> e.at().toEpochMilli()).orElse(0L);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  monitor.lastEvaluation().orElseThrow().at().toEpochMilli() - evaluations > 4000);
      assertThat(sink.delivered()).isEmpty();
      assertThat(monitor.alerts()).isEmpty();
      // the consumer stops (paused: it stays in its group, commits nothing), its input keeps coming
      pk.config()
          .set(
              Scope.pipeline(name),
              PipelineKeys.PAUSED.name(),
              BooleanNode.TRUE,
              ChangeOptions.by("test"));
      await().atMost(BOUND).until(() -> pipeline.state() == Pipeline.State.PAUSED);
      await().atMost(BOUND).until(() -> sink.states("stalled/" + name).contains(AlertState.FIRING));
      await().atMost(BOUND).until(() -> sink.states("behind/" + name).contains(AlertState.FIRING));
      await().atMost(BOUND).until(() -> sink.states("late/" + name).contains(AlertState.FIRING));
      await()
          .atMost(BOUND)
          .until(() -> sink.states("stuck/" + name + "/w1").contains(AlertState.FIRING));
      assertThat(feeder.sent()).isPositive();
    }
    Alert stalled =
        monitor.alerts().stream()
            .filter(a -> a.key().equals("stalled/" + name))
            .findFirst()
            .orElseThrow();
    assertThat(stalled.summary()).contains("stalled").contains(name);
    // it resumes: it catches up, and the alerts resolve
    pk.config()
        .set(
            Scope.pipeline(name),
            PipelineKeys.PAUSED.name(),
            BooleanNode.FALSE,
            ChangeOptions.by("test"));
    await().atMost(BOUND).until(() -> sink.states("behind/" + name).contains(AlertState.RESOLVED));
    await().atMost(BOUND).until(() -> sink.states("late/" + name).contains(AlertState.RESOLVED));
    await().atMost(BOUND).until(() -> sink.states("stalled/" + name).contains(AlertState.RESOLVED));
    await()
        .atMost(BOUND)
        .until(() -> sink.states("stuck/" + name + "/w1").contains(AlertState.RESOLVED));
    // once per transition on the alert topic, keyed by the alert key
    await()
        .atMost(BOUND)
        .until(
            () ->
                alertStates(cluster, alertTopic, "stalled/" + name)
                    .equals(List.of(AlertState.FIRING, AlertState.RESOLVED)));
    assertThat(alertStates(cluster, alertTopic, "behind/" + name))
        .containsExactly(AlertState.FIRING, AlertState.RESOLVED);
  }

  /** The states of {@code key}'s records on the alert topic, in order. */
  private static List<AlertState> alertStates(TestCluster cluster, String topic, String key) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<AlertState> states = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(r.key())) {
            states.add(AlertCodec.fromJson(r.value()).state());
          }
        }
      }
    }
    return states;
  }

  @Test
  void aConsumerGroupWhoseCommittedOffsetGoesBackIsRewinding(TestCluster cluster) throws Exception {
    String topic = cluster.topic("in");
    String group = cluster.topic("replayer");
    KafkaTopics.create(cluster, 1, topic);
    KafkaTopics.produce(cluster, topic, 0, 20);
    Pipekeeper pk = opened(KafkaTopics.connect(cluster, "monitor", Duration.ofSeconds(10)));
    pk.config()
        .set(
            Scope.global(),
            Rules.KEY,
            JSON.readTree(
                "[{\"name\": \"rewind\", \"kind\": \"consumer-rewinding\", \"group\": \""
                    + group
                    + "\", \"window\": \"2s\"}]"),
            ChangeOptions.by("test"));
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      TopicPartition partition = new TopicPartition(topic, 0);
      admin
          .alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(15)))
          .all()
          .get();
      Recording sink = new Recording();
      Monitor monitor =
          opened(
              pk.monitor()
                  .evaluationInterval(Duration.ofMillis(250))
                  .probe(KafkaProbe.builder(cluster.bootstrapServers()).build())
                  .sink(sink)
                  .start());
      await().atMost(BOUND).until(monitor::isLeading);
      await().atMost(BOUND).until(() -> monitor.lastEvaluation().isPresent());
      long since = monitor.lastEvaluation().map(e -> e.at().toEpochMilli()).orElse(0L);
      await() // more than a window of steady offsets: nothing
          .atMost(BOUND)
          .until(() -> monitor.lastEvaluation().orElseThrow().at().toEpochMilli() - since > 3000);
      assertThat(sink.delivered()).isEmpty();
      // someone resets the group to replay: its committed offset goes back
      admin
          .alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(5)))
          .all()
          .get();
      String key = "rewind/" + group;
      await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
      Alert rewound =
          monitor.alerts().stream().filter(a -> a.key().equals(key)).findFirst().orElseThrow();
      assertThat(rewound.summary()).contains(topic + "-0 15->5");
      // a window later with no more rewinds, it resolves
      await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
      assertThat(sink.states(key)).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
    }
  }

  @Test
  void kafkaGoingAwayFiresAndItsReturnResolves(TestCluster cluster) throws Exception {
    Pipekeeper pk = opened(KafkaTopics.connect(cluster, "monitor", Duration.ofSeconds(10)));
    pk.config()
        .set(
            Scope.global(),
            Rules.KEY,
            JSON.readTree("[{\"name\": \"kafka\", \"kind\": \"kafka\", \"for\": \"1s\"}]"),
            ChangeOptions.by("test"));
    TcpProxy proxy = opened(TcpProxy.start("127.0.0.1", port(cluster.bootstrapServers())));
    proxy.cut(); // the probe never reaches the broker until restored
    Recording sink = new Recording();
    Monitor monitor =
        opened(
            pk.monitor()
                .evaluationInterval(Duration.ofMillis(250))
                .probe(KafkaProbe.builder(proxy.address()).timeout(Duration.ofMillis(500)).build())
                .sink(sink)
                .start());
    await().atMost(BOUND).until(() -> sink.states("kafka/kafka").contains(AlertState.FIRING));
    Alert down = monitor.alerts().get(0);
    assertThat(down.summary()).startsWith("Kafka is unreachable");
    proxy.restore();
    await().atMost(BOUND).until(() -> sink.states("kafka/kafka").contains(AlertState.RESOLVED));
    assertThat(sink.states("kafka/kafka")).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
  }

  private static int port(String bootstrap) {
    String first = bootstrap.split(",")[0];
    return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
  }

  /** Sends ten records every 200 ms through one producer until closed. */
  private static final class Feeder implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger sent = new AtomicInteger();

    Feeder(TestCluster cluster, String topic) {
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
      timer.scheduleAtFixedRate(
          () -> {
            for (int i = 0; i < 10; i++) {
              int n = sent.getAndIncrement();
              producer.send(new ProducerRecord<>(topic, "fed-" + n, "fed-" + n));
            }
            producer.flush();
          },
          0,
          200,
          TimeUnit.MILLISECONDS);
    }

    int sent() {
      return sent.get();
    }

    @Override
    public void close() {
      timer.shutdown();
      try {
        timer.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close();
    }
  }
}
