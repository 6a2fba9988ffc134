package dev.pipekeeper.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecuredKafkaIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    EmbeddedSecurity security = EmbeddedSecurity.create(dir.resolve("security"));
    kafka = EmbeddedKafka.builder().secure(security).mutualTls(true).build().start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void writesOwnerOnlyClientFilesWithoutAnyoneElsesPassword() throws Exception {
    EmbeddedSecurity security = kafka.security().orElseThrow();
    for (String user : EmbeddedSecurity.USERS) {
      Path file = kafka.clientConfigFile(user);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(file)) {
        p.load(in);
      }
      assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
      assertThat(p.getProperty("bootstrap.servers")).isEqualTo(kafka.bootstrapServers());
      assertThat(p.getProperty("sasl.jaas.config")).contains("username=\"" + user + "\"");
      for (String other : EmbeddedSecurity.USERS) {
        if (!other.equals(user)) {
          assertThat(Files.readString(file)).doesNotContain(security.password(other));
        }
      }
    }
  }

  @Test
  void refusesAPlaintextClient() {
    Map<String, Object> plain = new HashMap<>();
    plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    try (Admin admin = Admin.create(plain)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
          .hasMessageContaining("Timed out");
    }
  }

  @Test
  void refusesAWrongPassword() {
    Map<String, Object> wrong = kafka.clientProperties(EmbeddedSecurity.WRITER);
    wrong.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"writer\" password=\"not-the-password\";");
    try (Admin admin = Admin.create(wrong)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
          .hasMessageContaining("Authentication failed");
    }
  }

  @Test
  void adminCanDoAnythingAndAWriterOnlyWhatItsAclsAllow() throws Exception {
    String topic = "secured-" + System.nanoTime();
    try (Admin admin = Admin.create(kafka.clientProperties(EmbeddedSecurity.ADMIN))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
    }
    // Without an ACL, the writer may not write.
    assertThatThrownBy(() -> produce(kafka.clientProperties(EmbeddedSecurity.WRITER), topic))
        .hasRootCauseInstanceOf(TopicAuthorizationException.class);

    try (Admin admin = Admin.create(kafka.clientProperties(EmbeddedSecurity.ADMIN))) {
      admin
          .createAcls(
              List.of(
                  new AclBinding(
                      new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                      new AccessControlEntry(
                          "User:writer", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    // The ACL takes effect within a metadata round; the bound covers that.
    org.awaitility.Awaitility.await()
        .atMost(BOUND)
        .ignoreExceptions()
        .untilAsserted(() -> produce(kafka.clientProperties(EmbeddedSecurity.WRITER), topic));
    // The same principal over mutual TLS: its certificate's CN is its name.
    produce(kafka.mutualTlsClientProperties(EmbeddedSecurity.WRITER), topic);
    assertThatThrownBy(
            () -> produce(kafka.mutualTlsClientProperties(EmbeddedSecurity.READER), topic))
        .hasRootCauseInstanceOf(TopicAuthorizationException.class);
  }

  private static void produce(Map<String, Object> client, String topic) throws Exception {
    Map<String, Object> config = new HashMap<>(client);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
    }
  }
}
