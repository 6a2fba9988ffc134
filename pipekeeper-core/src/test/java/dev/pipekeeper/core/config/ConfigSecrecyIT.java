package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Secrecy sticks to a key: across scopes (a value of a key secret in one scope can be what another
 * scope's members run with) and across schema changes, until it is removed on purpose.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigSecrecyIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();
  static final ChangeOptions OPS = ChangeOptions.by("ops");
  static final String SECRET_SCHEMA = "{\"type\":\"string\",\"writeOnly\":true}";

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void deletingTheSchemaOfASecretKeyKeepsItAndItsHistoryMasked(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      config.setSchema(GLOBAL, "db.password", json(SECRET_SCHEMA));
      config.set(GLOBAL, "db.password", json("\"hunter2\""), OPS);
      config.set(GLOBAL, "db.password", json("\"hunter3\""), OPS);
      config.deleteSchema(GLOBAL, "db.password");

      ConfigEntry entry = config.get(GLOBAL, "db.password").orElseThrow();
      assertThat(entry.secret()).isTrue();
      assertThat(entry.display()).isEqualTo(Secrets.MASK);
      assertThat(config.list(GLOBAL))
          .singleElement()
          .satisfies(e -> assertThat(e.secret()).isTrue());

      assertThat(config.isSecret(GLOBAL, "db.password")).isTrue();
      assertThat(config.isSecret(Scope.member("m"), "db.password")).isTrue();

      // a schema without writeOnly does not end it either
      config.setSchema(GLOBAL, "db.password", json("{\"type\":\"string\"}"));
      assertThat(config.get(GLOBAL, "db.password").orElseThrow().display())
          .doesNotContain("hunter");
      assertThat(config.isSecret(GLOBAL, "db.password")).isTrue();
    }
  }

  @Test
  void revealingIsExplicitRecordedAndRefusedWhileASchemaStillMarksTheKey(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      Scope pipeline = Scope.pipeline("p");
      config.setSchema(GLOBAL, "db.password", json(SECRET_SCHEMA));
      config.setSchema(pipeline, "db.password", json(SECRET_SCHEMA));
      config.set(GLOBAL, "db.password", json("\"hunter2\""), OPS);
      config.deleteSchema(GLOBAL, "db.password");
      assertThatThrownBy(() -> config.reveal(GLOBAL, "db.password", OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("config db.password stays secret: its schema in pipeline/p has");
      assertThat(config.isSecret(GLOBAL, "db.password")).isTrue();
      assertThatThrownBy(() -> config.reveal(GLOBAL, "plain", OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("config plain is not secret");

      config.deleteSchema(pipeline, "db.password");
      int before = config.version(GLOBAL);
      ConfigCommit revealed =
          config.reveal(GLOBAL, "db.password", ChangeOptions.by("dora").comment("rotated"));
      assertThat(revealed.scopeVersion()).isEqualTo(before + 1);
      assertThat(config.version(GLOBAL)).isEqualTo(before + 1);
      assertThat(config.isSecret(GLOBAL, "db.password")).isFalse();
      assertThat(config.isSecret(pipeline, "db.password")).isFalse();
      ConfigEntry entry = config.get(GLOBAL, "db.password").orElseThrow();
      assertThat(entry.secret()).isFalse();
      assertThat(entry.display()).isEqualTo("\"hunter2\"");
      HistoryEntry last = config.history(GLOBAL, "db.password").get(1);
      assertThat(last.who()).isEqualTo("dora");
      assertThat(last.comment()).isEqualTo("secret revealed: rotated");
      assertThat(last.oldValue()).contains(json("\"hunter2\""));
      assertThat(last.newValue()).contains(json("\"hunter2\""));
      assertThat(last.scopeVersion()).isEqualTo(before + 1);
      // the writer's next change is on the scope as the reveal left it
      config.set(GLOBAL, "db.password", json("\"hunter3\""), OPS);
      assertThat(config.history(GLOBAL, "db.password")).hasSize(3);

      // secret again with a new writeOnly schema
      config.setSchema(pipeline, "db.password", json(SECRET_SCHEMA));
      assertThat(config.get(GLOBAL, "db.password").orElseThrow().secret()).isTrue();
    }
  }

  @Test
  void aKeySecretInOneScopeIsMaskedInEveryScope(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      config.setSchema(GLOBAL, "db.password", json(SECRET_SCHEMA));
      config.set(Scope.member("m-1"), "db.password", json("\"hunter2\""), OPS);
      ConfigEntry member = config.get(Scope.member("m-1"), "db.password").orElseThrow();
      assertThat(member.secret()).isTrue();
      assertThat(member.display()).isEqualTo(Secrets.MASK);

      // secret in a pipeline: the global value is what that pipeline's members run with unless
      // the pipeline sets its own, and a member's value may be its member's in that pipeline
      config.setSchema(Scope.pipeline("p"), "api.token", json(SECRET_SCHEMA));
      config.set(GLOBAL, "api.token", json("\"t0ken\""), OPS);
      config.set(Scope.member("m-1"), "api.token", json("\"t0ken-m\""), OPS);
      assertThat(config.get(GLOBAL, "api.token").orElseThrow().display()).isEqualTo(Secrets.MASK);
      assertThat(config.get(Scope.member("m-1"), "api.token").orElseThrow().display())
          .isEqualTo(Secrets.MASK);
      assertThat(config.list(Scope.member("m-1"))).allSatisfy(e -> assertThat(e.secret()).isTrue());
    }
  }

  @Test
  void aWriteOnlySchemaWrittenWithoutAMarkerStillMasksItsScopeAndGetsOneWhenDeleted(
      TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "a");
        CuratorFramework raw = raw(cluster)) {
      Configuration config = pk.config();
      Scope pipeline = Scope.pipeline("p");
      config.set(pipeline, "db.password", json("\"hunter2\""), OPS);
      // as an older Pipekeeper wrote it: the schema alone
      raw.create()
          .creatingParentsIfNeeded()
          .forPath(
              ZkLayout.root(cluster.cluster())
                  + ZkLayout.configSchema(pipeline.path(), "db.password"),
              SECRET_SCHEMA.getBytes(StandardCharsets.UTF_8));
      assertThat(config.get(pipeline, "db.password").orElseThrow().secret()).isTrue();
      config.deleteSchema(pipeline, "db.password");
      assertThat(config.get(pipeline, "db.password").orElseThrow().secret()).isTrue();
    }
  }

  static CuratorFramework raw(TestCluster cluster) {
    CuratorFramework raw =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100));
    raw.start();
    return raw;
  }
}
