package dev.pipekeeper.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineBuilder;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * The client settings a pipeline adds to the user's: a short first retry backoff unless the user
 * set one, and the settings the guarantee depends on, which win over the user's.
 */
class ClientPropertiesTest {
  private static PipelineBuilder<String, String, String, String> settings() {
    return Pipeline.builder(
            "clients", Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
        .bootstrapServers("127.0.0.1:9092")
        .kafkaProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
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
    PipelineBuilder<String, String, String, String> settings =
        settings().kafkaProperty(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);
    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);
    assertThat(ClientProperties.producer(settings, "m1", null))
        .containsEntry(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 250);
  }

  @Test
  void whatTheGuaranteeDependsOnWinsOverTheUsersProperties() {
    PipelineBuilder<String, String, String, String> settings =
        settings()
            .kafkaProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted")
            .kafkaProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
    assertThat(ClientProperties.consumer(settings, "m1"))
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
  }
}
