package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nodes and values written behind Pipekeeper's back (with zkCli, another tool) are reported and
 * kept out, never a reason to hide the good keys; a value a binding cannot convert is a last known
 * good case like an invalid one.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ForeignConfigIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();
  static final ChangeOptions OPS = ChangeOptions.by("ops");

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Writes {@code data} at {@code config/SCOPE/NAME} with a raw client, as zkCli would. */
  static void writeRaw(CuratorFramework raw, TestCluster cluster, String path, String data)
      throws Exception {
    raw.create()
        .creatingParentsIfNeeded()
        .forPath(
            ZkLayout.root(cluster.cluster()) + path,
            data == null ? new byte[0] : data.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void foreignNodesAreSkippedAndTheGoodKeysListed(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "a");
        CuratorFramework raw = raw(cluster)) {
      Configuration config = pk.config();
      config.set(GLOBAL, "ok", json("1"), OPS);
      config.set(GLOBAL, "zeta", json("\"z\""), OPS);
      writeRaw(raw, cluster, ZkLayout.config("global") + "/bad key", "2");
      writeRaw(raw, cluster, ZkLayout.configKey("global", "junk"), "{not json");
      writeRaw(raw, cluster, ZkLayout.configKey("global", "empty"), null);

      assertThat(config.list(GLOBAL)).extracting(ConfigEntry::key).containsExactly("ok", "zeta");
      ConfigListing listing = config.listing(GLOBAL);
      assertThat(listing.entries()).extracting(ConfigEntry::key).containsExactly("ok", "zeta");
      assertThat(listing.skipped())
          .containsExactly(
              new ConfigListing.Skipped("bad key", "not a config key name"),
              new ConfigListing.Skipped("empty", "holds an empty value"),
              new ConfigListing.Skipped("junk", "holds a value that is not valid JSON"));
      assertThatThrownBy(() -> config.get(GLOBAL, "junk"))
          .isInstanceOf(UnreadableConfigException.class)
          .hasMessageContaining("config global junk")
          .hasMessageContaining("not valid JSON")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("{not json"));
      assertThat(config.get(GLOBAL, "ok").orElseThrow().value()).isEqualTo(json("1"));

      writeRaw(raw, cluster, ZkLayout.CONFIG + "/pipeline/bad name", null);
      config.set(Scope.pipeline("p"), "k", json("1"), OPS);
      assertThat(config.scopes()).containsExactly(GLOBAL, Scope.pipeline("p"));
    }
  }

  @Test
  void aViewSkipsForeignNodes(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "a");
        CuratorFramework raw = raw(cluster)) {
      Configuration config = pk.config();
      config.set(GLOBAL, "ok", json("1"), OPS);
      writeRaw(raw, cluster, ZkLayout.config("global") + "/bad key", "2");
      writeRaw(raw, cluster, ZkLayout.configKey("global", "junk"), "{not json");
      writeRaw(raw, cluster, ZkLayout.configKey("global", "empty"), null);
      try (ConfigView view = config.view(java.util.List.of(GLOBAL))) {
        assertThat(view.values()).isEqualTo(Map.of("ok", json("1")));
        assertThat(view.lastKnownGoodKeys()).containsExactly("empty", "junk");
        config.set(GLOBAL, "ok", json("3"), OPS);
        await().atMost(BOUND).until(() -> view.values().equals(Map.of("ok", json("3"))));
        // a bad value deleted is held no more
        raw.delete()
            .forPath(ZkLayout.root(cluster.cluster()) + ZkLayout.configKey("global", "junk"));
        await()
            .atMost(BOUND)
            .until(() -> view.lastKnownGoodKeys().equals(java.util.Set.of("empty")));
      }
    }
  }

  @Test
  void aValueThatDoesNotConvertToItsBoundTypeIsReportedAsLastKnownGood(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "m")) {
      Configuration config = pk.config();
      config.set(GLOBAL, "copier.threshold", json("1.5"), OPS);
      ConfigView view = config.view("copier", "m");
      LiveValue<Double> threshold = view.bind("copier.threshold", Double.class, 2.5);
      assertThat(threshold.get()).isEqualTo(1.5);

      config.set(GLOBAL, "copier.threshold", json("\"abc\""), OPS);
      await().atMost(BOUND).until(() -> view.lastKnownGoodKeys().contains("copier.threshold"));
      assertThat(threshold.get()).isEqualTo(1.5);
      await()
          .atMost(BOUND)
          .until(
              () -> config.applied().get("m").lastKnownGood().contains("global copier.threshold"));

      config.set(Scope.pipeline("copier"), "copier.threshold", json("3.5"), OPS);
      await().atMost(BOUND).until(() -> threshold.get() == 3.5);
      assertThat(view.lastKnownGoodKeys()).isEmpty();
      await().atMost(BOUND).until(() -> config.applied().get("m").lastKnownGood().isEmpty());

      // bound after the value went bad: reported too
      config.set(GLOBAL, "copier.mode", json("[1]"), OPS);
      await().atMost(BOUND).until(() -> view.values().containsKey("copier.mode"));
      LiveValue<Integer> mode = view.bind("copier.mode", Integer.class, 7);
      assertThat(mode.get()).isEqualTo(7);
      assertThat(view.lastKnownGoodKeys()).containsExactly("copier.mode");
      await()
          .atMost(BOUND)
          .until(() -> config.applied().get("m").lastKnownGood().contains("global copier.mode"));
      config.delete(GLOBAL, "copier.mode", OPS);
      await().atMost(BOUND).until(() -> view.lastKnownGoodKeys().isEmpty());
      assertThat(mode.get()).isEqualTo(7);
    }
  }

  static CuratorFramework raw(TestCluster cluster) {
    CuratorFramework raw =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100));
    raw.start();
    return raw;
  }
}
