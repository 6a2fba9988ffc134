package dev.pipekeeper.connect.source;

import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.BOUND;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.connect.ClassLoadingOverridePolicy;
import dev.pipekeeper.connect.testing.StandaloneWorker;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClassLoadingOverridePolicy} as a real worker's {@code
 * connector.client.config.override.policy}: a connector whose {@code producer.override.
 * sasl.jaas.config} names JNDI's login module (CVE-2023-25194) is refused before it runs, naming
 * the setting; an override that loads nothing is taken.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ClassLoadingOverridePolicyIT {
  @TempDir Path dir;

  @Test
  void aWorkerWithThePolicyRefusesAJndiLoginModuleOverride(TestCluster cluster) {
    String root = cluster.chroot() + "/tree";
    try (StandaloneWorker worker =
        StandaloneWorker.start(
            cluster.bootstrapServers(),
            dir.resolve("offsets"),
            Map.of(
                "connector.client.config.override.policy",
                ClassLoadingOverridePolicy.class.getName()))) {
      Map<String, String> attack = config(cluster.zkConnect(), root, cluster.topic("a"));
      attack.put(
          "producer.override.sasl.jaas.config",
          "com.sun.security.auth.module.JndiLoginModule required"
              + " user.provider.url=\"ldap://127.0.0.1:1/x\" useFirstPass=\"true\";");
      assertThatThrownBy(() -> worker.putConnector("attack", attack))
          .hasMessageContaining(
              "producer.override.sasl.jaas.config names the JAAS login module"
                  + " com.sun.security.auth.module.JndiLoginModule")
          .hasMessageContaining("CVE-2023-25194");
      assertThat(worker.herder().connectors()).doesNotContain("attack");

      Map<String, String> plain = config(cluster.zkConnect(), root, cluster.topic("b"));
      plain.put("producer.override.linger.ms", "5");
      worker.putConnector("plain", plain);
      await().atMost(BOUND).until(() -> worker.running("plain"));
    }
  }
}
