package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.security.ZooKeeperClientFile;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.examples.EnrichmentExample;
import dev.pipekeeper.examples.Examples;
import dev.pipekeeper.kafka.KafkaClientSettings;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipekeeper run} on secured servers (ZooKeeper TLS + SASL, Kafka SASL_SSL with ACLs), as
 * the user writer with the client files {@code --zk-config} and {@code --kafka-config} name: the
 * example's records flow exactly once; a wrong Kafka password is one line and exit 1.
 */
class SecuredRunIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(90));
  private static final int ORDERS = 40;

  @TempDir static Path dir;
  static EmbeddedSecurity security;
  static EmbeddedZooKeeper zk;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    security = EmbeddedSecurity.create(dir.resolve("security"));
    zk = EmbeddedZooKeeper.builder().secure(security).build().start();
    kafka = EmbeddedKafka.builder().secure(security).build().start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  @Test
  void enrichmentRunsAsWriterAndEveryOrderComesOutOnce() throws Exception {
    String cluster = "secured-run";
    // the admin sets up what writer may not create (topics, the cluster's tree under the model)
    // and grants writer the enrichment pipeline's Kafka ACLs
    try (Pipekeeper admin =
        ZooKeeperClientFile.load(zk.clientConfigFile(EmbeddedSecurity.ADMIN))
            .applyTo(Pipekeeper.builder().zookeeper(zk.connectString()).cluster(cluster))
            .build()) {
      Examples.setUp(
          new EnrichmentExample(),
          admin,
          KafkaClientSettings.from(kafka.clientProperties(EmbeddedSecurity.ADMIN)));
    }
    try (Admin admin = Admin.create(kafka.clientProperties(EmbeddedSecurity.ADMIN))) {
      admin.createAcls(enrichmentAcls()).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientProperties(EmbeddedSecurity.ADMIN),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < ORDERS; i++) {
        String order =
            String.format(
                Locale.ROOT, "{\"id\": \"o-%d\", \"customer\": \"acme\", \"amount\": %d}", i, i);
        producer.send(new ProducerRecord<>(EnrichmentExample.ORDERS, "acme", order));
      }
      producer.flush();
    }

    CliRun run = new CliRun(asWriter(kafka.clientConfigFile(EmbeddedSecurity.WRITER)));
    Thread command =
        new Thread(
            () ->
                run.execute(
                    "--cluster",
                    cluster,
                    "run",
                    EnrichmentExample.NAME,
                    "--member",
                    "enrich-1",
                    "--progress-every",
                    "0"),
            "secured-run");
    command.start();
    try {
      await()
          .atMost(BOUND)
          .until(() -> run.out().contains("enrichment: running as enrich-1") || !command.isAlive());
      assertThat(run.out()).as(run.err()).contains("enrichment: running as enrich-1");
      List<String> ids = new ArrayList<>();
      ObjectMapper json = new ObjectMapper();
      try (KafkaConsumer<String, String> reader = committedReader()) {
        reader.subscribe(List.of(EnrichmentExample.ENRICHED));
        await()
            .atMost(BOUND)
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                    ids.add(json.readTree(r.value()).path("id").asText());
                  }
                  assertThat(ids).hasSizeGreaterThanOrEqualTo(ORDERS);
                });
        // anything more would be a duplicate: give it a moment to show
        reader.poll(Duration.ofSeconds(1)).forEach(r -> ids.add(r.value()));
      }
      assertThat(ids).hasSize(ORDERS).doesNotHaveDuplicates().contains("o-0", "o-39");
    } finally {
      run.shutdown.triggerAndWait();
      command.join(BOUND.toMillis());
    }
    assertThat(command.isAlive()).isFalse();
    assertThat(run.exitCode).as(run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("enrich-1 stopped after " + ORDERS + " records");
  }

  @Test
  void aWrongKafkaPasswordIsOneLineAndExit1() throws IOException {
    Map<String, Object> wrong = kafka.clientProperties(EmbeddedSecurity.WRITER);
    String jaas = wrong.get("sasl.jaas.config").toString();
    String mangled = jaas.replaceFirst("password=\"[^\"]*\"", "password=\"not-the-password\"");
    assertThat(mangled).isNotEqualTo(jaas);
    wrong.put("sasl.jaas.config", mangled);
    Path file = dir.resolve("kafka-writer-wrong.properties");
    Properties properties = new Properties();
    wrong.forEach((k, v) -> properties.setProperty(k, v.toString()));
    try (Writer out = Files.newBufferedWriter(file)) {
      properties.store(out, null);
    }

    CliRun run =
        CliRun.runWith(
            asWriter(file), "--cluster", "refused", "run", EnrichmentExample.NAME, "--member", "x");

    assertThat(run.exitCode).as(run.out() + run.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err())
        .startsWith("pipekeeper: Kafka at " + kafka.bootstrapServers() + " refused")
        .contains("Authentication failed")
        .doesNotContain("not-the-password");
    assertThat(run.shutdown.isFinished()).isTrue();
  }

  private static Map<String, String> asWriter(Path kafkaFile) {
    return Map.of(
        "PIPEKEEPER_ZK", zk.connectString(),
        "PIPEKEEPER_ZK_CONFIG", zk.clientConfigFile(EmbeddedSecurity.WRITER).toString(),
        "PIPEKEEPER_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "PIPEKEEPER_KAFKA_CONFIG", kafkaFile.toString());
  }

  /**
   * What the enrichment pipeline (PARALLEL, exactly-once) needs as writer, and nothing more: what
   * {@code pipekeeper kafka-acls enrichment --principal User:writer} prints.
   */
  private static List<AclBinding> enrichmentAcls() {
    return Examples.named(EnrichmentExample.NAME)
        .acls()
        .bindings("User:" + EmbeddedSecurity.WRITER);
  }

  private static KafkaConsumer<String, String> committedReader() {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties(EmbeddedSecurity.ADMIN));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-run-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }
}
