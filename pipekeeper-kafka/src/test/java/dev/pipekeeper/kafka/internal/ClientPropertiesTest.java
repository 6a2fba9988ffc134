package dev.pipekeeper.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The client settings a pipeline adds to the user's: a short first retry backoff unless the user
 * set one, and the settings the guarantee depends on, which win over the user's; and which of the
 * user's properties each client gets (unprefixed ones all, prefixed ones their client only).
 */
class ClientPropertiesTest {
  private static PipelineSettings<String, String, String, String> settings(Object... properties) {
    Map<String, Object> kafka = new HashMap<>();
    kafka.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    for (int i = 0; i < properties.length; i += 2) {
      kafka.put((String) properties[i], properties[i + 1]);
    }
    return TestSettings.of("clients", (record, ctx) -> {}, 2, kafka);
  }

  @Test
  void consumersAndProducersRetryAfterTwoMillisecondsFirst() {
    assertThat(ClientProperties.consumer(settings(), "m1"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 2);
    assertThat(ClientProperties.producer(settings(), "m1", "pipekeeper-clients"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 2);
  }

  @Test
  void theUsersRetryBackoffWins() {
    PipelineSettings<String, String, String, String> settings =
        settings(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);
    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);
    assertThat(ClientProperties.producer(settings, "m1", null))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);
  }

  @Test
  void whatTheGuaranteeDependsOnWinsOverTheUsersProperties() {
    PipelineSettings<String, String, String, String> settings =
        settings(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_uncommitted",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            true);
    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
  }

  @Test
  void aPrefixedPropertyGoesToItsClientOnlyAndWinsOverTheUnprefixedOne() {
    PipelineSettings<String, String, String, String> settings =
        settings(
            "max.poll.records", 100,
            "consumer.max.poll.records", 50,
            "linger.ms", 5,
            "producer.linger.ms", 20,
            "producer.batch.size", 65_536,
            "consumer.fetch.min.bytes", 1024,
            "client.rack", "zone-a");

    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry("max.poll.records", 50)
        .containsEntry("fetch.min.bytes", 1024)
        .containsEntry("linger.ms", 5) // unprefixed: every client gets it
        .containsEntry("client.rack", "zone-a")
        .doesNotContainKeys("batch.size", "producer.linger.ms", "consumer.max.poll.records");
    assertThat(ClientProperties.producer(settings, "m1", null))
        .containsEntry("linger.ms", 20)
        .containsEntry("batch.size", 65_536)
        .containsEntry("max.poll.records", 100)
        .containsEntry("client.rack", "zone-a")
        .doesNotContainKeys("fetch.min.bytes", "consumer.max.poll.records", "producer.batch.size");
    assertThat(ClientProperties.reader(settings))
        .containsEntry("max.poll.records", 50)
        .doesNotContainKeys("batch.size", ConsumerConfig.GROUP_ID_CONFIG);
  }

  @Test
  void adminPropertiesGoToNeitherTheConsumerNorTheProducer() {
    PipelineSettings<String, String, String, String> settings =
        settings("admin.request.timeout.ms", 5_000, "request.timeout.ms", 30_000);

    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry("request.timeout.ms", 30_000)
        .doesNotContainKey("admin.request.timeout.ms");
    assertThat(ClientProperties.producer(settings, "m1", null))
        .containsEntry("request.timeout.ms", 30_000)
        .doesNotContainKey("admin.request.timeout.ms");
    assertThat(
            ClientProperties.forClient(settings.kafkaProperties(), ClientProperties.Client.ADMIN))
        .containsEntry("request.timeout.ms", 5_000)
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
  }

  @Test
  void whatTheGuaranteeDependsOnWinsOverPrefixedPropertiesToo() {
    PipelineSettings<String, String, String, String> settings =
        settings(
            "consumer." + ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_uncommitted",
            "producer.acks",
            "1",
            "producer.transactional.id",
            "mine");

    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    assertThat(ClientProperties.producer(settings, "m1", "pipekeeper-clients"))
        .containsEntry("acks", "all")
        .containsEntry("transactional.id", "pipekeeper-clients");
  }

  @Test
  void aPrefixedRetryBackoffCountsAsTheUsersOwn() {
    PipelineSettings<String, String, String, String> settings =
        settings("producer." + CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);

    assertThat(ClientProperties.producer(settings, "m1", null))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);
    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 2);
  }
}
