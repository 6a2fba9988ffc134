package dev.pipekeeper.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.connect.ConnectorVersion;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector's settings, validation, task split, version and manifest, without servers. */
class ZooKeeperSourceConnectorTest {
  @TempDir Path dir;

  @Test
  void validateNamesASubtreeThatIsNotAnAbsolutePath() {
    Map<String, String> config = config("127.0.0.1:1", "/ok, relative/path");
    Map<String, List<String>> errors = errors(new ZooKeeperSourceConnector().validate(config));
    assertThat(errors.get(ZooKeeperSourceConfig.SUBTREES_CONFIG))
        .singleElement()
        .asString()
        .contains("relative/path", "absolute");
  }

  @Test
  void validateRefusesOverlappingSubtreesAndABadFormat() {
    Map<String, String> config = new java.util.HashMap<>(config("127.0.0.1:1", "/a,/a/b"));
    config.put(ZooKeeperSourceConfig.VALUE_FORMAT_CONFIG, "xml");
    Map<String, List<String>> errors = errors(new ZooKeeperSourceConnector().validate(config));
    assertThat(errors.get(ZooKeeperSourceConfig.SUBTREES_CONFIG))
        .singleElement()
        .asString()
        .contains("overlap");
    assertThat(errors.get(ZooKeeperSourceConfig.VALUE_FORMAT_CONFIG)).isNotEmpty();
  }

  @Test
  void validateFailsEarlyOnAnUnreachableEnsemble() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // nothing listens there once closed
    }
    Map<String, String> config = config("127.0.0.1:" + port, "/a");
    Map<String, List<String>> errors = errors(new ZooKeeperSourceConnector().validate(config));
    assertThat(errors.get(ZooKeeperSourceConfig.ZOOKEEPER_CONNECT_CONFIG))
        .singleElement()
        .asString()
        .contains("no ZooKeeper server of 127.0.0.1:" + port, "500 ms");
    assertThat(errors.get(ZooKeeperSourceConfig.SUBTREES_CONFIG)).isEmpty();
  }

  @Test
  void aClientFileThatDoesNotExistOrHasUnknownKeysIsAnError() throws IOException {
    Map<String, String> config = new java.util.HashMap<>(config("127.0.0.1:1", "/a"));
    config.put(ZooKeeperSourceConfig.CLIENT_FILE_CONFIG, dir.resolve("missing").toString());
    assertThat(
            errors(new ZooKeeperSourceConnector().validate(config))
                .get(ZooKeeperSourceConfig.CLIENT_FILE_CONFIG))
        .singleElement()
        .asString()
        .contains("does not exist");
    Path file = Files.writeString(dir.resolve("zk.properties"), "nonsense=1\n");
    config.put(ZooKeeperSourceConfig.CLIENT_FILE_CONFIG, file.toString());
    assertThatThrownBy(() -> new ZooKeeperSourceConfig(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key nonsense");
  }

  @Test
  void subtreesAreDealtToAtMostOneTaskEach() {
    ZooKeeperSourceConnector connector = new ZooKeeperSourceConnector();
    connector.start(config("127.0.0.1:1", "/a,/b,/c"));
    List<Map<String, String>> two = connector.taskConfigs(2);
    assertThat(two)
        .extracting(t -> t.get(ZooKeeperSourceConfig.TASK_SUBTREES_CONFIG))
        .containsExactly("/a,/b", "/c");
    assertThat(connector.taskConfigs(10)).hasSize(3);
    ZooKeeperSourceConfig task = ZooKeeperSourceConfig.forTask(two.get(0));
    assertThat(task.taskSubtrees()).containsExactly("/a", "/b");
  }

  @Test
  void theVersionIsTheBuildsAndTheManifestNamesTheConnector() {
    assertThat(new ZooKeeperSourceConnector().version())
        .isEqualTo(ConnectorVersion.VERSION)
        .isNotEqualTo("unknown")
        .doesNotContain("${");
    assertThat(ServiceLoader.load(SourceConnector.class).stream().map(p -> p.type().getName()))
        .contains(ZooKeeperSourceConnector.class.getName());
  }

  @Test
  void everySettingHasADoc() {
    assertThat(ZooKeeperSourceConfig.CONFIG_DEF.configKeys().values())
        .allSatisfy(key -> assertThat(key.documentation).isNotBlank());
  }

  private static Map<String, String> config(String connect, String subtrees) {
    return Map.of(
        ZooKeeperSourceConfig.ZOOKEEPER_CONNECT_CONFIG,
        connect,
        ZooKeeperSourceConfig.SUBTREES_CONFIG,
        subtrees,
        ZooKeeperSourceConfig.TOPIC_CONFIG,
        "t",
        ZooKeeperSourceConfig.CONNECTION_TIMEOUT_CONFIG,
        "500");
  }

  private static Map<String, List<String>> errors(org.apache.kafka.common.config.Config config) {
    return config.configValues().stream()
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }
}
