package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines of every mode as the user {@code writer} on secured servers (ZooKeeper with TLS and
 * SASL, Kafka with SASL_SSL and the StandardAuthorizer) holding exactly the Kafka ACLs that {@link
 * PipelineAcls} derives, nothing more: each runs exactly once; without one of them it fails naming
 * the refused resource. Each test has its own pipeline name (and so its own topics, group and
 * transactional ids), so one test's ACLs allow nothing another test's pipeline uses.
 */
class SecuredPipelineIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final String WRITER = "User:" + EmbeddedSecurity.WRITER;
  private static final int RECORDS = 20;

  @TempDir static Path dir;
  private static EmbeddedSecurity security;
  private static EmbeddedZooKeeper zk;
  private static EmbeddedKafka kafka;
  private static Admin admin;

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @BeforeAll
  static void start() {
    security = EmbeddedSecurity.create(dir.resolve("security"));
    zk = EmbeddedZooKeeper.builder().secure(security).build().start();
    kafka = EmbeddedKafka.builder().secure(security).build().start();
    admin = Admin.create(kafka.clientProperties(EmbeddedSecurity.ADMIN));
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  // ---- each mode with exactly the derived ACLs ----

  @Test
  void aParallelPipelineRunsExactlyOnceWithTheDerivedAcls() throws Exception {
    String name = "sec-parallel";
    PipelineAcls acls = topicPipeline(name, Mode.PARALLEL);
    grant(acls, all -> true);
    Pipeline pipeline = started(topicPipeline(name, Mode.PARALLEL, connect()));
    assertThat(readOutput(name + "-out", RECORDS, pipeline)).isEqualTo(expectedUpper());
  }

  @Test
  void aSingletonPipelineRunsExactlyOnceWithTheDerivedAcls() throws Exception {
    String name = "sec-singleton";
    PipelineAcls acls = topicPipeline(name, Mode.SINGLETON);
    grant(acls, all -> true);
    Pipeline pipeline = started(topicPipeline(name, Mode.SINGLETON, connect()));
    assertThat(readOutput(name + "-out", RECORDS, pipeline)).isEqualTo(expectedUpper());
  }

  @Test
  void aShardedPipelineRunsExactlyOnceWithTheDerivedAcls() throws Exception {
    String name = "sec-sharded";
    PipelineAcls acls = shardedPipeline(name);
    grant(acls, all -> true);
    Pipeline first = started(shardedPipeline(name, connect(), List.of("u1", "u2")));
    List<String> expected = new ArrayList<>();
    for (String unit : List.of("u1", "u2")) {
      for (int i = 1; i <= FiniteFeed.SIZE; i++) {
        expected.add(unit + ":" + i);
      }
    }
    assertThat(readOutput(name + "-out", expected.size(), first)).isEqualTo(sorted(expected));
    first.close();

    // A new instance reads each unit's position back (READ on the positions topic) and resumes
    // at the end: nothing is emitted twice.
    polledFrom.clear();
    Pipeline second = started(shardedPipeline(name, connect()));
    String end = Integer.toString(FiniteFeed.SIZE);
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(second.state()).isEqualTo(Pipeline.State.RUNNING);
              assertThat(polledFrom).containsEntry("u1", end).containsEntry("u2", end);
            });
    assertThat(readOutput(name + "-out", expected.size(), second)).isEqualTo(sorted(expected));
  }

  // ---- one derived ACL left out ----

  @Test
  void withoutItsTransactionalIdAclAParallelPipelineIsRefusedNamingTheId() throws Exception {
    // Pipeline sec-prefix holds all its ACLs; sec-prefix-b, whose name starts with it, is not
    // allowed its transactional ids by sec-prefix's prefixed ACL.
    grant(topicPipeline("sec-prefix", Mode.PARALLEL), all -> true);
    String name = "sec-prefix-b";
    grant(
        topicPipeline(name, Mode.PARALLEL),
        acl -> acl.resourceType() != ResourceType.TRANSACTIONAL_ID);
    Pipekeeper pk = connect();
    Pipeline pipeline = topicPipeline(name, Mode.PARALLEL, pk).build();
    open.push(pipeline);
    String id = "pipekeeper-" + name + ":member:" + pk.identity();
    assertThatThrownBy(pipeline::start)
        .isInstanceOf(KafkaNotAuthorizedException.class)
        .hasMessageContaining("Kafka refused WRITE on transactional id " + id)
        .hasMessageContaining("pipekeeper kafka-acls " + name);
    assertThat(pipeline.state()).isEqualTo(Pipeline.State.FAILED);
    assertThat(pipeline.failure())
        .get()
        .isInstanceOfSatisfying(
            KafkaNotAuthorizedException.class,
            refused -> {
              assertThat(refused.resourceType()).isEqualTo(ResourceType.TRANSACTIONAL_ID);
              assertThat(refused.resourceName()).isEqualTo(id);
            });
  }

  @Test
  void withoutItsTransactionalIdAclASingletonPipelineFailsNamingTheId() throws Exception {
    String name = "sec-singleton-notxn";
    grant(
        topicPipeline(name, Mode.SINGLETON),
        acl -> acl.resourceType() != ResourceType.TRANSACTIONAL_ID);
    Pipeline pipeline = started(topicPipeline(name, Mode.SINGLETON, connect()));
    assertFailsNaming(pipeline, "Kafka refused WRITE on transactional id pipekeeper-" + name);
  }

  @Test
  void withoutItsGroupAclASingletonPipelineFailsNamingTheGroup() throws Exception {
    String name = "sec-singleton-nogroup";
    grant(topicPipeline(name, Mode.SINGLETON), acl -> acl.resourceType() != ResourceType.GROUP);
    Pipeline pipeline = started(topicPipeline(name, Mode.SINGLETON, connect()));
    assertFailsNaming(pipeline, "Kafka refused READ on group " + name);
  }

  @Test
  void withoutWriteOnItsOutputAParallelPipelineFailsNamingTheTopic() throws Exception {
    String name = "sec-parallel-noout";
    String out = name + "-out";
    grant(
        topicPipeline(name, Mode.PARALLEL),
        acl -> !(acl.resourceType() == ResourceType.TOPIC && acl.resourceName().equals(out)));
    Pipeline pipeline = started(topicPipeline(name, Mode.PARALLEL, connect()));
    assertFailsNaming(pipeline, "Kafka refused WRITE on topic " + out);
    assertThat(((KafkaNotAuthorizedException) pipeline.failure().orElseThrow()).resourceName())
        .isEqualTo(out);
  }

  @Test
  void withoutWriteOnItsOutputAnAtLeastOncePipelineFailsRatherThanCommitPastTheLostOutput()
      throws Exception {
    // A refused send is reported by the producer's callback only, not by its flush: the batch's
    // offsets must not be committed after it.
    String name = "sec-alo-noout";
    String out = name + "-out";
    grant(
        topicPipeline(name, Mode.PARALLEL, Guarantee.AT_LEAST_ONCE),
        acl -> !(acl.resourceType() == ResourceType.TOPIC && acl.resourceName().equals(out)));
    Pipeline pipeline =
        started(topicPipeline(name, Mode.PARALLEL, Guarantee.AT_LEAST_ONCE, connect()));
    assertFailsNaming(pipeline, "Kafka refused WRITE on topic " + out);
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata>
        committed =
            admin
                .listConsumerGroupOffsets(name)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
    assertThat(committed.values()).allSatisfy(offset -> assertThat(offset).isNull());
  }

  @Test
  void withoutReadOnItsPositionsAShardedPipelineFailsNamingTheTopic() throws Exception {
    String name = "sec-sharded-nopos";
    String positions = name + ".positions";
    grant(
        shardedPipeline(name),
        acl -> !(acl.resourceName().equals(positions) && acl.operation() == AclOperation.READ));
    PipelineBuilder<String, String, String, String> builder =
        shardedPipeline(name, connect(), List.of("u1"));
    // A position stored before: the unit's owner must read it (from an empty topic it reads
    // nothing, and Kafka asks for no READ).
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientProperties(EmbeddedSecurity.ADMIN),
            new StringSerializer(),
            new StringSerializer())) {
      producer.send(new ProducerRecord<>(positions, "u1", "4")).get(30, TimeUnit.SECONDS);
    }
    Pipeline pipeline = started(builder);
    assertFailsNaming(pipeline, "Kafka refused READ or WRITE on topic " + positions);
  }

  // ---- the pipelines ----

  /** The ACLs of a PARALLEL or SINGLETON pipeline reading NAME-in and writing NAME-out. */
  private static PipelineAcls topicPipeline(String name, Mode mode) {
    return topicPipeline(name, mode, Guarantee.EXACTLY_ONCE);
  }

  private static PipelineAcls topicPipeline(String name, Mode mode, Guarantee guarantee) {
    return PipelineAcls.builder(name)
        .mode(mode)
        .guarantee(guarantee)
        .inputs(name + "-in")
        .outputs(name + "-out")
        .build();
  }

  /**
   * The pipeline of {@link #topicPipeline(String, Mode)}, upper-casing; its topics are made and the
   * input filled.
   */
  private PipelineBuilder<String, String, String, String> topicPipeline(
      String name, Mode mode, Pipekeeper pk) throws Exception {
    return topicPipeline(name, mode, Guarantee.EXACTLY_ONCE, pk);
  }

  private PipelineBuilder<String, String, String, String> topicPipeline(
      String name, Mode mode, Guarantee guarantee, Pipekeeper pk) throws Exception {
    String in = name + "-in";
    String out = name + "-out";
    createTopics(in, out);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientProperties(EmbeddedSecurity.ADMIN),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(in, "k" + i, "v" + i));
      }
      producer.flush();
    }
    return asWriter(
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .mode(mode)
            .topics(in)
            .guarantee(guarantee)
            .processor(
                (record, ctx) ->
                    ctx.emit(out, record.key(), record.value().toUpperCase(Locale.ROOT))));
  }

  /** The ACLs of a SHARDED pipeline writing NAME-out, positions in NAME.positions. */
  private static PipelineAcls shardedPipeline(String name) {
    return PipelineAcls.builder(name)
        .mode(Mode.SHARDED)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .outputs(name + "-out")
        .positionsTopic(name + ".positions")
        .build();
  }

  /** The pipeline of {@link #shardedPipeline(String)} with {@code units}, each a FiniteFeed. */
  private PipelineBuilder<String, String, String, String> shardedPipeline(
      String name, Pipekeeper pk, List<String> units) throws Exception {
    String out = name + "-out";
    createTopics(out, name + ".positions");
    units.forEach(unit -> pk.workUnits(name).put(WorkUnit.of(unit)));
    return shardedPipeline(name, pk);
  }

  /** The pipeline of {@link #shardedPipeline(String)}, its topics and units made before. */
  private PipelineBuilder<String, String, String, String> shardedPipeline(
      String name, Pipekeeper pk) {
    String out = name + "-out";
    return asWriter(
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .mode(Mode.SHARDED)
            .guarantee(Guarantee.EXACTLY_ONCE)
            .sources(unit -> new FiniteFeed(unit, polledFrom))
            .positionsTopic(name + ".positions")
            .processor((record, ctx) -> ctx.emit(out, record.key(), record.value())));
  }

  /** The position each unit's source was last polled from. */
  private final Map<String, String> polledFrom = new ConcurrentHashMap<>();

  /**
   * Unit U holds records "U:1" … "U:10"; the position is the number of the last one read. Each
   * poll's position is recorded in {@code polledFrom}.
   */
  private static final class FiniteFeed implements WorkUnitSource<String, String> {
    static final int SIZE = 10;
    private final String unit;
    private final Map<String, String> polledFrom;

    FiniteFeed(String unit, Map<String, String> polledFrom) {
      this.unit = unit;
      this.polledFrom = polledFrom;
    }

    @Override
    public SourceBatch<String, String> poll(Optional<String> position, Duration timeout) {
      polledFrom.put(unit, position.orElse("(start)"));
      int last = position.map(Integer::parseInt).orElse(0);
      if (last >= SIZE) {
        LockSupport.parkNanos(timeout.toNanos()); // a long poll of a source with nothing new
        return SourceBatch.empty(Integer.toString(last));
      }
      int next = Math.min(SIZE, last + 4);
      List<Map.Entry<String, String>> records = new ArrayList<>();
      for (int i = last + 1; i <= next; i++) {
        records.add(Map.entry(unit, unit + ":" + i));
      }
      return new SourceBatch<>(records, Integer.toString(next));
    }
  }

  /** The writer's Kafka client properties on the pipeline, and the broker. */
  private static PipelineBuilder<String, String, String, String> asWriter(
      PipelineBuilder<String, String, String, String> builder) {
    builder.bootstrapServers(kafka.bootstrapServers()).closeTimeout(Duration.ofSeconds(5));
    kafka.clientProperties(EmbeddedSecurity.WRITER).entrySet().stream()
        .filter(e -> !e.getKey().equals("bootstrap.servers"))
        .forEach(e -> builder.kafkaProperty(e.getKey(), e.getValue()));
    return builder;
  }

  /** Builds and starts the pipeline, closed after the test. */
  private Pipeline started(PipelineBuilder<String, String, String, String> builder) {
    Pipeline pipeline = builder.build();
    open.push(pipeline);
    return pipeline.start();
  }

  /** A ZooKeeper connection as the writer, closed after the test (after its pipeline). */
  private Pipekeeper connect() {
    ZooKeeperSecurity writer =
        ZooKeeperSecurity.builder()
            .truststore(security.truststore(), security.storePasswordFile())
            .sasl(EmbeddedSecurity.WRITER, security.passwordFile(EmbeddedSecurity.WRITER))
            .build();
    Pipekeeper pk = Pipekeeper.builder().zookeeper(zk.connectString()).security(writer).build();
    open.push(pk);
    return pk;
  }

  /** Creates, as the admin, the writer's ACLs among {@code acls} that {@code keep} keeps. */
  private static void grant(PipelineAcls acls, Predicate<PipelineAcls.Acl> keep) throws Exception {
    List<AclBinding> bindings =
        acls.acls().stream().filter(keep).map(acl -> acl.binding(WRITER)).toList();
    assertThat(bindings).isNotEmpty();
    admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
  }

  private static void createTopics(String... topics) throws Exception {
    List<NewTopic> created = new ArrayList<>();
    for (String topic : topics) {
      created.add(new NewTopic(topic, 2, (short) 1));
    }
    admin.createTopics(created).all().get(30, TimeUnit.SECONDS);
  }

  // ---- what is checked ----

  /**
   * Reads {@code topic} read_committed until {@code count} records came, the pipeline running all
   * along; the values sorted (the same records again would show).
   */
  private List<String> readOutput(String topic, int count, Pipeline pipeline) {
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> reader = committedReader()) {
      reader.subscribe(List.of(topic));
      await()
          .atMost(BOUND)
          .untilAsserted(
              () -> {
                assertThat(pipeline.state()).isEqualTo(Pipeline.State.RUNNING);
                for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                  seen.add(r.value());
                }
                assertThat(seen).hasSizeGreaterThanOrEqualTo(count);
              });
      // A duplicate committed with the last batches would be here by now.
      for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(500))) {
        seen.add(r.value());
      }
    }
    return sorted(seen);
  }

  private static void assertFailsNaming(Pipeline pipeline, String message) {
    await().atMost(BOUND).until(() -> pipeline.state() == Pipeline.State.FAILED);
    assertThat(pipeline.failure())
        .get()
        .isInstanceOf(KafkaNotAuthorizedException.class)
        .extracting(Throwable::getMessage)
        .asString()
        .contains(message);
  }

  private static List<String> expectedUpper() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      expected.add("V" + i);
    }
    return sorted(expected);
  }

  private static List<String> sorted(List<String> values) {
    return values.stream().sorted().toList();
  }

  private static KafkaConsumer<String, String> committedReader() {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties(EmbeddedSecurity.ADMIN));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-reader-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }
}
