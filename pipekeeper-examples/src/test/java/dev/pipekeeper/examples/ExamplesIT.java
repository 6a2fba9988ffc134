package dev.pipekeeper.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.TopicReader;
import dev.pipekeeper.examples.EnrichmentExample.EnrichedOrder;
import dev.pipekeeper.examples.EnrichmentExample.Order;
import dev.pipekeeper.examples.IngesterExample.Event;
import dev.pipekeeper.examples.SchedulerExample.Run;
import dev.pipekeeper.kafka.JsonSerde;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each example end to end, two instances each, against a real ZooKeeper and a real broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class ExamplesIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private Pipekeeper connect(TestCluster cluster, String id) {
    Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(cluster.zkConnect())
            .cluster(cluster.cluster())
            .identity(id)
            .sessionTimeout(Duration.ofSeconds(3))
            .build();
    open.push(pk);
    return pk;
  }

  /** Sets the example up and starts an instance of it as member {@code id}. */
  private Pipeline instance(TestCluster cluster, Example example, String id) {
    Pipekeeper pk = connect(cluster, id);
    KafkaClientSettings kafka = KafkaClientSettings.of(cluster.bootstrapServers());
    Examples.setUp(example, pk, kafka);
    Pipeline pipeline = example.build(pk, kafka);
    open.push(pipeline);
    return pipeline.start();
  }

  private static <T> List<T> read(TestCluster cluster, String topic, Class<T> type) {
    return TopicReader.readCommitted(cluster.bootstrapServers(), topic).stream()
        .map(
            record -> {
              try {
                return JSON.readValue(record.value(), type);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .toList();
  }

  private static <V> void produce(
      TestCluster cluster, String topic, Serializer<V> values, Map<String, V> byKey) {
    try (KafkaProducer<String, V> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
            new StringSerializer(),
            values)) {
      byKey.forEach((key, value) -> producer.send(new ProducerRecord<>(topic, key, value)));
      producer.flush();
    }
  }

  private static void orders(TestCluster cluster, int from, int to) {
    Map<String, Order> orders = new TreeMap<>();
    for (int i = from; i < to; i++) {
      orders.put("order-" + i, new Order("order-" + i, "c" + i % 5, i % 200 * 10));
    }
    // keyed by order id here so that the map keeps them all; the pipeline keys by customer
    produce(cluster, EnrichmentExample.ORDERS, JsonSerde.of(Order.class).serializer(), orders);
  }

  @Test
  void enrichmentAppliesALiveThresholdAndTiersOnEveryInstance(TestCluster cluster) {
    Example example = Examples.named(EnrichmentExample.NAME);
    Pipeline a = instance(cluster, example, "enrich-a");
    Pipeline b = instance(cluster, example, "enrich-b");
    await().atMost(BOUND).until(() -> a.partitions().size() == 3 && b.partitions().size() == 3);
    orders(cluster, 0, 400);
    await().atMost(BOUND).until(() -> a.processed() + b.processed() == 400);
    assertThat(a.processed()).as("both instances share the partitions").isPositive();
    assertThat(b.processed()).isPositive();

    Pipekeeper admin = connect(cluster, "admin");
    Scope scope = Scope.pipeline(EnrichmentExample.NAME);
    assertThatThrownBy(
            () ->
                admin
                    .config()
                    .set(scope, EnrichmentExample.THRESHOLD, DoubleNode.valueOf(-1), by()))
        .as("the example's schema refuses a negative threshold")
        .isInstanceOf(InvalidInputException.class);
    ConfigCommit commit =
        admin
            .config()
            .apply(
                scope,
                Map.of(
                    EnrichmentExample.THRESHOLD, DoubleNode.valueOf(500),
                    EnrichmentExample.TIERS, JSON.createObjectNode().put("c1", "gold")),
                by());
    await()
        .atMost(BOUND)
        .until(
            () ->
                List.of("enrich-a", "enrich-b").stream()
                    .allMatch(
                        member ->
                            admin.config().applied().containsKey(member)
                                && admin
                                        .config()
                                        .applied()
                                        .get(member)
                                        .versions()
                                        .getOrDefault(scope.path(), -1)
                                    >= commit.scopeVersion()));
    orders(cluster, 400, 800);
    await()
        .atMost(BOUND)
        .until(() -> read(cluster, EnrichmentExample.ENRICHED, EnrichedOrder.class).size() == 800);

    Map<String, EnrichedOrder> enriched =
        read(cluster, EnrichmentExample.ENRICHED, EnrichedOrder.class).stream()
            .collect(Collectors.toMap(EnrichedOrder::id, Function.identity()));
    assertThat(enriched).as("each order once").hasSize(800);
    for (EnrichedOrder order : enriched.values()) {
      int number = Integer.parseInt(order.id().substring("order-".length()));
      double threshold = number < 400 ? 1000 : 500;
      assertThat(order.threshold()).as(order.id()).isEqualTo(threshold);
      assertThat(order.large()).as(order.id()).isEqualTo(order.amount() >= threshold);
      assertThat(order.tier())
          .as(order.id())
          .isEqualTo(number >= 400 && order.customer().equals("c1") ? "gold" : "standard");
    }
    long large = enriched.values().stream().filter(EnrichedOrder::large).count();
    assertThat(read(cluster, EnrichmentExample.LARGE, EnrichedOrder.class)).hasSize((int) large);
  }

  @Test
  void theSchedulerRunsEachDueJobOnceAcrossALeaderChange(TestCluster cluster) {
    Example example = Examples.named(SchedulerExample.NAME);
    Pipeline a = instance(cluster, example, "sched-a");
    Pipeline b = instance(cluster, example, "sched-b");
    Map<String, Long> ticks = new TreeMap<>();
    for (long tick = 1; tick <= 120; tick++) {
      ticks.put(String.format("%03d", tick), tick);
    }
    produce(cluster, SchedulerExample.TICKS, new LongSerializer(), ticks);
    await().atMost(BOUND).until(() -> a.processed() + b.processed() == 120);
    Pipeline leader = a.processed() > 0 ? a : b;
    Pipeline other = leader == a ? b : a;
    assertThat(other.processed()).as("only the leader ran").isZero();

    leader.close();
    Map<String, Long> more = new TreeMap<>();
    for (long tick = 121; tick <= 240; tick++) {
      more.put(String.format("%03d", tick), tick);
    }
    produce(cluster, SchedulerExample.TICKS, new LongSerializer(), more);
    await().atMost(BOUND).until(() -> other.processed() == 120);

    List<Run> runs = read(cluster, SchedulerExample.RUNS, Run.class);
    Map<String, Long> perJob =
        runs.stream().collect(Collectors.groupingBy(Run::job, Collectors.counting()));
    assertThat(perJob).isEqualTo(Map.of("report", 24L, "cleanup", 4L));
    assertThat(runs.stream().map(r -> r.job() + "@" + r.tick()).distinct().count())
        .as("no run twice")
        .isEqualTo(runs.size());
    assertThat(runs.stream().map(Run::epoch).distinct().count()).as("two leaders").isEqualTo(2);
  }

  @Test
  void theIngesterResumesMovedTenantsWithoutGapsOrDuplicates(TestCluster cluster) {
    Example example = new IngesterExample(java.time.Clock.systemUTC(), 200);
    Pipeline a = instance(cluster, example, "ingest-a");
    await().atMost(BOUND).until(() -> a.processed() > 1000);
    Pipeline b = instance(cluster, example, "ingest-b"); // half the tenants move to b
    await().atMost(BOUND).until(() -> b.processed() > 1000);
    a.close(); // and then all of them
    long bAtClose = b.processed();
    await().atMost(BOUND).until(() -> b.processed() > bAtClose + 3000);
    b.close();

    Map<String, List<Long>> seqs =
        read(cluster, IngesterExample.EVENTS, Event.class).stream()
            .collect(
                Collectors.groupingBy(
                    Event::tenant,
                    TreeMap::new,
                    Collectors.mapping(Event::seq, Collectors.toList())));
    assertThat(seqs.keySet()).hasSize(IngesterExample.DEFAULT_TENANTS);
    seqs.forEach(
        (tenant, numbers) -> {
          List<Long> sorted = numbers.stream().sorted().toList();
          long first = sorted.get(0);
          assertThat(sorted)
              .as("%s: every event once, from its first on", tenant)
              .isEqualTo(
                  java.util.stream.LongStream.range(first, first + sorted.size()).boxed().toList());
        });
  }

  @Test
  void anUnknownExampleIsRefusedNamingTheExamples() {
    assertThatThrownBy(() -> Examples.named("nope"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("no example 'nope'; the examples are enrichment, scheduler, ingester");
  }

  private static ChangeOptions by() {
    return ChangeOptions.by("test");
  }
}
