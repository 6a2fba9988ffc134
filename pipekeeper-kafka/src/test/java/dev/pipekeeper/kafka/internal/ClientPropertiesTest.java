package dev.pipekeeper.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The client settings a pipeline adds to the user's: a short first retry backoff unless the user
 * set one, and the settings the guarantee depends on, which win over the user's.
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
  void consumersAndProducersRetryAfterTenMillisecondsFirst() {
    assertThat(ClientProperties.consumer(settings(), "m1"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 10);
    assertThat(ClientProperties.producer(settings(), "m1", "pipekeeper-clients"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 10);
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
}
