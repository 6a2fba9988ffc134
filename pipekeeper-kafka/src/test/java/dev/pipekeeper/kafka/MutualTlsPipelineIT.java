package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.security.ZooKeeperClientFile;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline whose only credentials are the writer's certificate: ZooKeeper takes it as {@code
 * x509:CN=writer} (no SASL), Kafka's mutual-TLS listener maps it to {@code User:writer} ({@code
 * ssl.principal.mapping.rules}), and the ACLs {@link PipelineAcls} derives for that principal are
 * all it holds. It runs exactly once; without its transactional-id ACL it is refused naming the id,
 * which shows the certificate, not a SASL login, is the principal Kafka authorized.
 */
class MutualTlsPipelineIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final String WRITER = "User:" + EmbeddedSecurity.WRITER;
  private static final int RECORDS = 20;

  @TempDir static Path dir;
  private static EmbeddedZooKeeper zk;
  private static EmbeddedKafka kafka;
  private static Admin admin;

  @BeforeAll
  static void start() {
    EmbeddedSecurity security = EmbeddedSecurity.create(dir.resolve("security"));
    zk = EmbeddedZooKeeper.builder().secure(security).clientCertificates(true).build().start();
    kafka = EmbeddedKafka.builder().secure(security).mutualTls(true).build().start();
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

  @Test
  void aParallelPipelineOnCertificatesAloneRunsExactlyOnce() throws Exception {
    String name = "mtls-parallel";
    grant(name, all -> true);
    try (Pipekeeper pk = byCertificate();
        Pipeline pipeline = pipeline(name, pk).start()) {
      List<String> seen = new ArrayList<>();
      try (KafkaConsumer<String, String> reader = committedReader(name + "-out")) {
        await()
            .atMost(BOUND)
            .untilAsserted(
                () -> {
                  assertThat(pipeline.state()).isEqualTo(Pipeline.State.RUNNING);
                  reader.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                  assertThat(seen).hasSizeGreaterThanOrEqualTo(RECORDS);
                });
        // A duplicate committed with the last batches would be here by now.
        reader.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        expected.add("V" + i);
      }
      assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void withoutItsTransactionalIdAclTheCertificatesUserIsRefusedNamingTheId() throws Exception {
    String name = "mtls-notxn";
    grant(name, acl -> acl.resourceType() != ResourceType.TRANSACTIONAL_ID);
    try (Pipekeeper pk = byCertificate();
        Pipeline pipeline = pipeline(name, pk)) {
      String id = "pipekeeper-" + name + ":member:" + pk.identity();
      assertThatThrownBy(pipeline::start)
          .isInstanceOf(KafkaNotAuthorizedException.class)
          .hasMessageContaining("Kafka refused WRITE on transactional id " + id);
      assertThat(pipeline.state()).isEqualTo(Pipeline.State.FAILED);
    }
  }

  /** The writer's ZooKeeper connection by its certificate, as its client file says. */
  private static Pipekeeper byCertificate() {
    return ZooKeeperClientFile.load(zk.clientCertificateConfigFile(EmbeddedSecurity.WRITER))
        .applyTo(Pipekeeper.builder().zookeeper(zk.connectString()))
        .build();
  }

  private static PipelineAcls acls(String name) {
    return PipelineAcls.builder(name)
        .mode(Mode.PARALLEL)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .inputs(name + "-in")
        .outputs(name + "-out")
        .build();
  }

  /** Makes NAME-in (filled) and NAME-out, and grants the writer the ACLs {@code keep} keeps. */
  private static void grant(String name, Predicate<PipelineAcls.Acl> keep) throws Exception {
    admin
        .createTopics(
            List.of(
                new NewTopic(name + "-in", 2, (short) 1),
                new NewTopic(name + "-out", 2, (short) 1)))
        .all()
        .get(30, TimeUnit.SECONDS);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientProperties(EmbeddedSecurity.ADMIN),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(name + "-in", "k" + i, "v" + i));
      }
      producer.flush();
    }
    admin
        .createAcls(
            acls(name).acls().stream().filter(keep).map(acl -> acl.binding(WRITER)).toList())
        .all()
        .get(30, TimeUnit.SECONDS);
  }

  /** PARALLEL, exactly once, upper-casing NAME-in into NAME-out, on the mutual-TLS listener. */
  private static Pipeline pipeline(String name, Pipekeeper pk) {
    PipelineBuilder<String, String, String, String> builder =
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .mode(Mode.PARALLEL)
            .guarantee(Guarantee.EXACTLY_ONCE)
            .topics(name + "-in")
            .bootstrapServers(kafka.mutualTlsBootstrapServers())
            .closeTimeout(Duration.ofSeconds(5))
            .processor(
                (record, ctx) ->
                    ctx.emit(name + "-out", record.key(), record.value().toUpperCase(Locale.ROOT)));
    Map<String, Object> settings = kafka.mutualTlsClientProperties(EmbeddedSecurity.WRITER);
    settings.remove("bootstrap.servers");
    settings.forEach(builder::kafkaProperty);
    return builder.build();
  }

  private static KafkaConsumer<String, String> committedReader(String topic) {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties(EmbeddedSecurity.ADMIN));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "mtls-reader-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, String> reader =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    reader.subscribe(List.of(topic));
    return reader;
  }
}
