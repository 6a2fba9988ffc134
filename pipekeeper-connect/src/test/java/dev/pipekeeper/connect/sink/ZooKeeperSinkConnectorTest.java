package dev.pipekeeper.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.connect.ConnectorVersion;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkConnector;
import org.junit.jupiter.api.Test;

/** The sink's settings, validation, task split, version and manifest, without servers. */
class ZooKeeperSinkConnectorTest {

  @Test
  void validateRefusesABadSubtreeAndPipekeepersCoordinationTree() {
    assertThat(subtreeErrors("relative")).singleElement().asString().contains("absolute");
    assertThat(subtreeErrors("/a/")).singleElement().asString().contains("/a/");
    assertThat(subtreeErrors("/")).singleElement().asString().contains("Pipekeeper's tree");
    assertThat(subtreeErrors("/pipekeeper/pay")).singleElement().asString().contains("primitives");
    assertThat(subtreeErrors("/pipekeeper/pay/members")).isNotEmpty();
    assertThat(subtreeErrors("/pipekeeper/pay/config")).isEmpty();
    assertThat(subtreeErrors("/pipekeeper/pay/config/pipeline/p")).isEmpty();
    assertThat(subtreeErrors("/apps/a")).isEmpty();
  }

  @Test
  void validateRefusesOffsetsInTheSubtreeAndAResultTopicWithoutBrokers() {
    // a connect string that is no connect string: no connection is tried, the rest is checked
    Map<String, String> config = config("not:a:connect:string", "/apps/a");
    config.put(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG, "/apps/a/offsets");
    config.put(ZooKeeperSinkConfig.RESULT_TOPIC_CONFIG, "results");
    Map<String, List<String>> errors = errors(config);
    assertThat(errors.get(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG))
        .singleElement()
        .asString()
        .contains("overlap");
    config.put(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG, "/pipekeeper/x");
    assertThat(errors(config).get(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG))
        .singleElement()
        .asString()
        .contains("Pipekeeper's tree");
    config.put(ZooKeeperSinkConfig.OFFSETS_PATH_CONFIG, "/offsets");
    assertThat(errors(config).get(ZooKeeperSinkConfig.RESULT_BOOTSTRAP_CONFIG))
        .singleElement()
        .asString()
        .contains("needs its brokers");
    Map<String, String> valid = new HashMap<>(config);
    valid.put("zookeeper.connect", "127.0.0.1:1");
    assertThatThrownBy(() -> new ZooKeeperSinkConfig(valid))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("needs its brokers");
    config.put(ZooKeeperSinkConfig.MAX_COMMAND_BYTES_CONFIG, "0");
    assertThat(errors(config).get(ZooKeeperSinkConfig.MAX_COMMAND_BYTES_CONFIG)).isNotEmpty();
  }

  @Test
  void theResultProducerTakesSecuritySettingsButNoClassToLoadUnlessAllowed() {
    Map<String, String> config = config("not:a:connect:string", "/apps/a");
    config.put(ZooKeeperSinkConfig.RESULT_TOPIC_CONFIG, "results");
    config.put(ZooKeeperSinkConfig.RESULT_BOOTSTRAP_CONFIG, "127.0.0.1:9092");
    config.put("result.producer.security.protocol", "SASL_SSL");
    config.put(
        "result.producer.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"w\";");
    assertThat(errors(config)).doesNotContainKey("result.producer.sasl.jaas.config");
    config.put(
        "result.producer.sasl.jaas.config",
        "com.sun.security.auth.module.JndiLoginModule required user.provider.url=\"ldap://x\";");
    assertThat(errors(config).get("result.producer.sasl.jaas.config"))
        .singleElement()
        .asString()
        .contains("JndiLoginModule")
        .contains("CVE-2023-25194")
        .doesNotContain("ldap://x");
    Map<String, String> valid = new HashMap<>(config);
    valid.put("zookeeper.connect", "127.0.0.1:1");
    assertThatThrownBy(() -> new ZooKeeperSinkConfig(valid))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CVE-2023-25194");
    valid.put(ZooKeeperSinkConfig.RESULT_CLASS_SETTINGS_ALLOWED_CONFIG, "sasl.jaas.config");
    assertThat(new ZooKeeperSinkConfig(valid).resultProducerSettings())
        .containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void validateFailsEarlyOnAnUnreachableEnsemble() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // nothing listens there once closed
    }
    Map<String, List<String>> errors = errors(config("127.0.0.1:" + port, "/apps/a"));
    assertThat(errors.get(ZooKeeperSinkConfig.SUBTREE_CONFIG)).isEmpty();
    assertThat(errors.get("zookeeper.connect"))
        .singleElement()
        .asString()
        .contains("no ZooKeeper server of 127.0.0.1:" + port);
  }

  @Test
  void theDefaultsNameTheConnector() {
    Map<String, String> props = config("127.0.0.1:1", "/apps/a");
    props.put("name", "orders");
    ZooKeeperSinkConfig config = new ZooKeeperSinkConfig(props);
    assertThat(config.offsetsPath()).isEqualTo("/pipekeeper-connect/sinks/orders");
    assertThat(config.who()).isEqualTo("connect/orders");
    assertThat(config.ephemeralAllowed()).isFalse();
    assertThat(config.configCluster()).isEmpty();
    props.put(ZooKeeperSinkConfig.SUBTREE_CONFIG, "/pipekeeper/pay/config");
    assertThat(new ZooKeeperSinkConfig(props).configCluster()).contains("pay");
  }

  @Test
  void everyTaskGetsTheSettingsAndTheVersionAndManifestAreRight() {
    ZooKeeperSinkConnector connector = new ZooKeeperSinkConnector();
    connector.start(config("127.0.0.1:1", "/apps/a"));
    assertThat(connector.taskConfigs(3))
        .hasSize(3)
        .allSatisfy(
            t -> assertThat(t).containsEntry(ZooKeeperSinkConfig.SUBTREE_CONFIG, "/apps/a"));
    assertThat(connector.version())
        .isEqualTo(ConnectorVersion.VERSION)
        .isNotEqualTo("unknown")
        .doesNotContain("${");
    assertThat(new ZooKeeperSinkTask().version()).isEqualTo(ConnectorVersion.VERSION);
    assertThat(ServiceLoader.load(SinkConnector.class).stream().map(p -> p.type().getName()))
        .contains(ZooKeeperSinkConnector.class.getName());
    assertThat(ZooKeeperSinkConfig.CONFIG_DEF.configKeys().values())
        .allSatisfy(key -> assertThat(key.documentation).isNotBlank());
  }

  /** The subtree's errors by its validator alone (no connection attempt). */
  private static List<String> subtreeErrors(String subtree) {
    return ZooKeeperSinkConfig.CONFIG_DEF.validate(config("127.0.0.1:1", subtree)).stream()
        .filter(v -> v.name().equals(ZooKeeperSinkConfig.SUBTREE_CONFIG))
        .findFirst()
        .orElseThrow()
        .errorMessages();
  }

  private static Map<String, String> config(String connect, String subtree) {
    Map<String, String> config = new HashMap<>();
    config.put("zookeeper.connect", connect);
    config.put(ZooKeeperSinkConfig.SUBTREE_CONFIG, subtree);
    config.put("zookeeper.connection.timeout.ms", "100");
    return config;
  }

  private static Map<String, List<String>> errors(Map<String, String> config) {
    return new ZooKeeperSinkConnector()
        .validate(config).configValues().stream()
            .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }
}
