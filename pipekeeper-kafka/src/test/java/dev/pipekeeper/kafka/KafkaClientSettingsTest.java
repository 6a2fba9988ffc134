package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What each kind of plain client gets of one cluster's settings: the unprefixed properties, its own
 * prefixed ones (which win), none of another kind's, and the bootstrap servers.
 */
class KafkaClientSettingsTest {
  private static final KafkaClientSettings SECURED =
      new KafkaClientSettings(
          " kafka1:9093,kafka2:9093 ",
          Map.of(
              "security.protocol", "SASL_SSL",
              "request.timeout.ms", 5000,
              "admin.request.timeout.ms", 20_000,
              "consumer.max.poll.records", 10,
              "producer.linger.ms", 7));

  @Test
  void eachKindGetsTheSharedPropertiesItsOwnPrefixedOnesAndTheServers() {
    assertThat(SECURED.admin())
        .containsOnly(
            Map.entry("bootstrap.servers", "kafka1:9093,kafka2:9093"),
            Map.entry("security.protocol", "SASL_SSL"),
            Map.entry("request.timeout.ms", 20_000));
    assertThat(SECURED.consumer())
        .containsOnly(
            Map.entry("bootstrap.servers", "kafka1:9093,kafka2:9093"),
            Map.entry("security.protocol", "SASL_SSL"),
            Map.entry("request.timeout.ms", 5000),
            Map.entry("max.poll.records", 10));
    assertThat(SECURED.producer())
        .containsOnly(
            Map.entry("bootstrap.servers", "kafka1:9093,kafka2:9093"),
            Map.entry("security.protocol", "SASL_SSL"),
            Map.entry("request.timeout.ms", 5000),
            Map.entry("linger.ms", 7));
  }

  @Test
  void eachCallIsANewMapTheCallerMayAddTo() {
    Map<String, Object> admin = SECURED.admin();
    admin.put("client.id", "setup");
    assertThat(SECURED.admin()).doesNotContainKey("client.id");
  }

  @Test
  void serversAloneArePlaintext() {
    assertThat(KafkaClientSettings.of("localhost:9092").producer())
        .containsOnly(Map.entry("bootstrap.servers", "localhost:9092"));
  }

  @Test
  void fromAWholeClientConfigurationTakesItsServersApart() {
    KafkaClientSettings settings =
        KafkaClientSettings.from(
            Map.of("bootstrap.servers", "kafka1:9093", "security.protocol", "SASL_SSL"));
    assertThat(settings.bootstrapServers()).isEqualTo("kafka1:9093");
    assertThat(settings.properties()).containsOnly(Map.entry("security.protocol", "SASL_SSL"));
    assertThatThrownBy(() -> KafkaClientSettings.from(Map.of("security.protocol", "SSL")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs bootstrap.servers");
  }

  @Test
  void bootstrapServersAmongThePropertiesAreRefused() {
    assertThatThrownBy(
            () ->
                new KafkaClientSettings(
                    "localhost:9092", Map.of("consumer.bootstrap.servers", "other:9092")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("consumer.bootstrap.servers");
  }

  @Test
  void badServersAreRefused() {
    assertThatThrownBy(() -> KafkaClientSettings.of(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Kafka bootstrap servers");
  }

  @Test
  void itsTextNamesThePropertiesButNotTheirValues() {
    KafkaClientSettings withPassword =
        new KafkaClientSettings(
            "localhost:9092", Map.of("sasl.jaas.config", "... password=\"s3cret\";"));
    assertThat(withPassword.toString()).contains("sasl.jaas.config").doesNotContain("s3cret");
  }
}
