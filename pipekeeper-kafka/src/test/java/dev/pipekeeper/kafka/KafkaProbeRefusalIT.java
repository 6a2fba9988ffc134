package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.monitor.PartitionOffsets;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.kafka.monitor.KafkaProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link KafkaProbe} whose principal may not DESCRIBE one of the groups it is asked about, on a
 * broker with the StandardAuthorizer: Kafka answered, so the probe is reachable, reports the other
 * groups' offsets, and names the refused group, rather than reporting Kafka unreachable.
 */
class KafkaProbeRefusalIT {
  private static final String TOPIC = "probed";
  private static final String READER = "User:" + EmbeddedSecurity.READER;

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka =
        EmbeddedKafka.builder()
            .secure(EmbeddedSecurity.create(dir.resolve("security")))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aGroupTheProbeMayNotDescribeIsRefusedNotUnreachable() throws Exception {
    try (Admin admin = Admin.create(kafka.clientProperties(EmbeddedSecurity.ADMIN))) {
      admin
          .createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              kafka.clientProperties(EmbeddedSecurity.ADMIN),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < 3; i++) {
          producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
        }
      }
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      for (String group : List.of("allowed", "refused")) {
        admin
            .alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(3)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      admin
          .createAcls(
              List.of(describe(ResourceType.GROUP, "allowed"), describe(ResourceType.TOPIC, TOPIC)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Map<String, Object> asReader = new HashMap<>(kafka.clientProperties(EmbeddedSecurity.READER));
    asReader.remove("bootstrap.servers");
    try (KafkaProbe probe =
        KafkaProbe.builder(kafka.bootstrapServers())
            .kafkaProperties(asReader)
            .timeout(Duration.ofSeconds(10))
            .build()) {
      ProbeReport report = probe.probe(Set.of("allowed", "refused"));
      assertThat(report.reachable()).as("%s", report).isTrue();
      assertThat(report.offsets())
          .containsOnlyKeys("allowed")
          .extractingByKey("allowed")
          .isEqualTo(Map.of(TOPIC + "-0", new PartitionOffsets(3, 3, java.util.Optional.empty())));
      assertThat(report.refused()).containsOnlyKeys("group refused");
      assertThat(report.refused().get("group refused")).contains("authorization");
    }
  }

  private static AclBinding describe(ResourceType type, String name) {
    return new AclBinding(
        new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(READER, "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW));
  }
}
