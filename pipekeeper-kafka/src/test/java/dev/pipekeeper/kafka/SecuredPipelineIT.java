package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline as the user {@code writer} on secured servers: ZooKeeper with TLS and SASL, Kafka with
 * SASL_SSL and the StandardAuthorizer, with only the Kafka ACLs its mode needs.
 */
class SecuredPipelineIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));

  @TempDir static Path dir;
  private static EmbeddedSecurity security;
  private static EmbeddedZooKeeper zk;
  private static EmbeddedKafka kafka;

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
  void anExactlyOnceParallelPipelineRunsAsWriterWithLeastPrivilegeAcls() throws Exception {
    runAsWriter("secured-upper", true);
  }

  @Test
  void withoutItsTransactionalIdAclThePipelineIsRefused() throws Exception {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> runAsWriter("no-txn-acl", false))
        .hasMessageContaining("Transactional Id authorization failed");
  }

  private static void runAsWriter(String name, boolean transactionalIdAcl) throws Exception {
    String in = name + "-in";
    String out = name + "-out";
    try (Admin admin = Admin.create(kafka.clientProperties(EmbeddedSecurity.ADMIN))) {
      admin
          .createTopics(List.of(new NewTopic(in, 2, (short) 1), new NewTopic(out, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      List<AclBinding> acls = new ArrayList<>();
      acls.add(allow(ResourceType.TOPIC, in, PatternType.LITERAL, AclOperation.READ));
      acls.add(allow(ResourceType.TOPIC, out, PatternType.LITERAL, AclOperation.WRITE));
      acls.add(allow(ResourceType.GROUP, name, PatternType.LITERAL, AclOperation.READ));
      if (transactionalIdAcl) {
        acls.add(
            allow(
                ResourceType.TRANSACTIONAL_ID,
                dev.pipekeeper.kafka.internal.KafkaNames.memberTransactionalIdPrefix(name),
                PatternType.PREFIXED,
                AclOperation.WRITE));
      }
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientProperties(EmbeddedSecurity.ADMIN),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < 20; i++) {
        producer.send(new ProducerRecord<>(in, "k" + i, "v" + i));
      }
      producer.flush();
    }

    ZooKeeperSecurity writer =
        ZooKeeperSecurity.builder()
            .truststore(security.truststore(), security.storePasswordFile())
            .sasl(EmbeddedSecurity.WRITER, security.passwordFile(EmbeddedSecurity.WRITER))
            .build();
    try (Pipekeeper pk =
        Pipekeeper.builder().zookeeper(zk.connectString()).security(writer).build()) {
      PipelineBuilder<String, String, String, String> builder =
          Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
              .pipekeeper(pk)
              .bootstrapServers(kafka.bootstrapServers())
              .topics(in)
              .guarantee(Guarantee.EXACTLY_ONCE)
              .processor(
                  (record, ctx) ->
                      ctx.emit(out, record.key(), record.value().toUpperCase(Locale.ROOT)));
      kafka.clientProperties(EmbeddedSecurity.WRITER).entrySet().stream()
          .filter(e -> !e.getKey().equals("bootstrap.servers"))
          .forEach(e -> builder.kafkaProperty(e.getKey(), e.getValue()));
      try (Pipeline pipeline = builder.build().start()) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> reader = committedReader()) {
          reader.subscribe(List.of(out));
          await()
              .atMost(BOUND)
              .untilAsserted(
                  () -> {
                    assertThat(pipeline.state()).isEqualTo(Pipeline.State.RUNNING);
                    for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                      seen.add(r.value());
                    }
                    assertThat(seen).hasSize(20);
                  });
        }
        assertThat(seen).contains("V0", "V19").doesNotHaveDuplicates();
      }
    }
  }

  private static KafkaConsumer<String, String> committedReader() {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties(EmbeddedSecurity.ADMIN));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-reader-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }

  private static AclBinding allow(
      ResourceType type, String name, PatternType pattern, AclOperation operation) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(
            "User:" + EmbeddedSecurity.WRITER, "*", operation, AclPermissionType.ALLOW));
  }
}
