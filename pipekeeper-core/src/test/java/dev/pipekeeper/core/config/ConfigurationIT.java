package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class ConfigurationIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();
  static final Scope PIPELINE = Scope.pipeline("enricher");
  static final ChangeOptions OPS = ChangeOptions.by("ops");

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void setGetListAndVersions(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      assertThat(config.version(GLOBAL)).isZero();
      ConfigCommit first = config.set(GLOBAL, "alert.threshold", json("0.9"), OPS);
      assertThat(first.scopeVersion()).isEqualTo(1);
      config.set(GLOBAL, "batch.size", json("100"), OPS.comment("bigger"));
      assertThat(config.version(GLOBAL)).isEqualTo(2);
      ConfigEntry entry = config.get(GLOBAL, "alert.threshold").orElseThrow();
      assertThat(entry.value()).isEqualTo(json("0.9"));
      assertThat(entry.version()).isZero();
      assertThat(config.list(GLOBAL))
          .extracting(ConfigEntry::key)
          .containsExactly("alert.threshold", "batch.size");
      assertThat(config.scopes()).containsExactly(GLOBAL);
      ConfigCommit same = config.set(GLOBAL, "batch.size", json("100"), OPS);
      assertThat(same.keys()).as("an unchanged value is not a change").isEmpty();
      Map<String, JsonNode> deleteAbsent = new java.util.HashMap<>();
      deleteAbsent.put("never.set", null);
      assertThat(config.apply(GLOBAL, deleteAbsent, OPS).keys())
          .as("deleting an absent key in a batch is not a change")
          .isEmpty();
      assertThat(config.version(GLOBAL)).isEqualTo(2);
    }
  }

  @Test
  void badInputIsRefusedAndNothingIsWritten(TestCluster cluster) {
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(cluster.zkConnect())
            .cluster(cluster.cluster())
            .configValueLimit(64)
            .build()) {
      Configuration config = pk.config();
      config.setSchema(GLOBAL, "batch.size", json("{\"type\":\"integer\",\"minimum\":1}"));
      assertThatThrownBy(() -> config.set(GLOBAL, "Bad Key", json("1"), OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("config key 'Bad Key' is malformed");
      assertThatThrownBy(() -> config.set(GLOBAL, "batch.size", json("0"), OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("config global batch.size: value does not match its schema")
          .hasMessageContaining("minimum");
      assertThatThrownBy(() -> config.set(GLOBAL, "blob", TextNode.valueOf("x".repeat(100)), OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("over the limit of 64 bytes");
      Map<String, JsonNode> batch = new LinkedHashMap<>();
      batch.put("ok.key", json("1"));
      batch.put("batch.size", json("\"many\""));
      assertThatThrownBy(() -> config.apply(GLOBAL, batch, OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("batch.size");
      assertThat(config.version(GLOBAL)).isZero();
      assertThat(config.list(GLOBAL)).isEmpty();
      assertThat(config.history(GLOBAL, "ok.key")).isEmpty();
      assertThatThrownBy(() -> config.setSchema(GLOBAL, "x", json("[1]")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("must be a JSON object");
      assertThatThrownBy(() -> Scope.parse("tenant/x")).isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(() -> config.delete(GLOBAL, "missing", OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("has no key missing");
    }
  }

  @Test
  void historyDiffAndRollback(TestCluster cluster) {
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(cluster.zkConnect())
            .cluster(cluster.cluster())
            .configHistoryLimit(3)
            .build()) {
      Configuration config = pk.config();
      for (int i = 1; i <= 5; i++) {
        config.set(
            PIPELINE,
            "rate",
            IntNode.valueOf(i),
            ChangeOptions.by("user" + i).comment("step " + i));
      }
      // Each change prunes the entries it pushes over the limit in its own multi-op.
      assertThat(config.history(PIPELINE, "rate")).hasSize(3);
      List<HistoryEntry> history = config.history(PIPELINE, "rate");
      assertThat(history).extracting(HistoryEntry::who).containsExactly("user3", "user4", "user5");
      HistoryEntry last = history.get(2);
      assertThat(last.oldValue()).contains(IntNode.valueOf(4));
      assertThat(last.newValue()).contains(IntNode.valueOf(5));
      assertThat(last.comment()).isEqualTo("step 5");
      assertThat(last.scopeVersion()).isEqualTo(5);

      ConfigCommit rolled = config.rollback(PIPELINE, "rate", history.get(0).sequence(), OPS);
      assertThat(rolled.scopeVersion()).isEqualTo(6);
      assertThat(config.get(PIPELINE, "rate").orElseThrow().value()).isEqualTo(IntNode.valueOf(3));
      HistoryEntry rollback = config.history(PIPELINE, "rate").get(2);
      assertThat(rollback.comment()).startsWith("rollback to ");
      assertThat(rollback.oldValue()).contains(IntNode.valueOf(5));

      config.delete(PIPELINE, "rate", OPS);
      assertThat(config.history(PIPELINE, "rate").get(2).newValue()).isEmpty();
      assertThatThrownBy(() -> config.rollback(PIPELINE, "rate", 9999, OPS))
          .isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void versionConflictsAreRefusedAndNoUpdateIsLost(TestCluster cluster) throws Exception {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      a.config().set(GLOBAL, "k", json("1"), OPS);
      assertThatThrownBy(() -> b.config().set(GLOBAL, "k", json("2"), OPS.expectVersion(5)))
          .isInstanceOf(ConfigConflictException.class)
          .hasMessageContaining("version 0, not the expected 5");
      assertThatThrownBy(
              () -> b.config().apply(GLOBAL, Map.of("k", json("2")), OPS.expectVersion(0)))
          .isInstanceOf(ConfigConflictException.class);

      // Concurrent optimistic writers: each change either lands whole or is refused.
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Pipekeeper writer = i % 2 == 0 ? a : b;
        int n = i;
        results.add(
            pool.submit(
                () -> {
                  try {
                    writer
                        .config()
                        .apply(
                            GLOBAL,
                            Map.of("k", IntNode.valueOf(100 + n), "n" + n, IntNode.valueOf(n)),
                            OPS);
                    return true;
                  } catch (ConfigConflictException conflict) {
                    return false;
                  }
                }));
      }
      int landed = 0;
      for (Future<Boolean> result : results) {
        landed += result.get() ? 1 : 0;
      }
      pool.shutdown();
      assertThat(landed).isPositive();
      assertThat(a.config().version(GLOBAL)).isEqualTo(1 + landed);
      assertThat(a.config().list(GLOBAL)).hasSize(1 + landed);
      assertThat(a.config().history(GLOBAL, "k")).hasSize(1 + landed);
    }
  }

  @Test
  void viewsResolveMemberOverPipelineOverGlobalAndUpdateLive(TestCluster cluster) {
    try (Pipekeeper writer = Clients.connect(cluster, "writer");
        Pipekeeper member = Clients.connect(cluster, "member-1")) {
      writer.config().set(GLOBAL, "threshold", json("0.5"), OPS);
      writer.config().set(GLOBAL, "mode", json("\"fast\""), OPS);
      writer.config().set(PIPELINE, "threshold", json("0.7"), OPS);
      ConfigView view = member.config().view("enricher", "member-1");
      assertThat(view.get("threshold", Double.class)).contains(0.7);
      assertThat(view.get("mode", String.class)).contains("fast");
      LiveValue<Double> threshold = view.bind("threshold", Double.class, 0.1);
      LiveValue<Integer> missing = view.bind("absent", Integer.class, 42);
      assertThat(threshold.get()).isEqualTo(0.7);
      assertThat(missing.get()).isEqualTo(42);

      List<String> seen = new CopyOnWriteArrayList<>();
      List<String> threads = new CopyOnWriteArrayList<>();
      view.onChange(
          "threshold",
          (old, now) -> {
            seen.add(
                old.map(JsonNode::toString).orElse("-")
                    + "->"
                    + now.map(JsonNode::toString).orElse("-"));
            threads.add(Thread.currentThread().getName());
          });
      writer.config().set(Scope.member("member-1"), "threshold", json("0.99"), OPS);
      await().atMost(BOUND).until(() -> threshold.get() == 0.99);
      writer.config().delete(Scope.member("member-1"), "threshold", OPS);
      await().atMost(BOUND).until(() -> threshold.get() == 0.7);
      assertThat(seen).containsExactly("0.7->0.99", "0.99->0.7");
      assertThat(threads).allMatch(name -> name.startsWith("pipekeeper-config-view"));
      await()
          .atMost(BOUND)
          .untilAsserted(
              () ->
                  assertThat(writer.config().applied().get("member-1").versions())
                      .containsEntry("member/member-1", 2)
                      .containsEntry("pipeline/enricher", 1)
                      .containsEntry("global", 2));
    }
  }

  @Test
  void aNewViewAcknowledgesTheVersionsItLoaded(TestCluster cluster) {
    try (Pipekeeper writer = Clients.connect(cluster, "writer");
        Pipekeeper member = Clients.connect(cluster, "member-2")) {
      writer.config().set(GLOBAL, "threshold", json("0.5"), OPS);
      writer.config().set(PIPELINE, "threshold", json("0.7"), OPS);
      member.config().view("enricher", "member-2");
      // No change after the view loaded: the acknowledgement of the first load must not be lost.
      await()
          .atMost(BOUND)
          .untilAsserted(
              () ->
                  assertThat(writer.config().applied().get("member-2").versions())
                      .containsEntry("pipeline/enricher", 1)
                      .containsEntry("global", 1));
    }
  }

  @Test
  void anInvalidValueWrittenBehindOurBackKeepsTheLastGoodOne(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "m");
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      pk.config().setSchema(GLOBAL, "limit", json("{\"type\":\"integer\"}"));
      pk.config().set(GLOBAL, "limit", json("10"), OPS);
      ConfigView view = pk.config().view("p", "m");
      LiveValue<Integer> limit = view.bind("limit", Integer.class, 0);
      assertThat(limit.get()).isEqualTo(10);
      String path = ZkLayout.root(cluster.cluster()) + ZkLayout.configKey("global", "limit");

      raw.setData().forPath(path, "{not json".getBytes(StandardCharsets.UTF_8));
      await().atMost(BOUND).until(() -> view.lastKnownGoodKeys().contains("limit"));
      assertThat(limit.get()).isEqualTo(10);
      await()
          .atMost(BOUND)
          .until(() -> pk.config().applied().get("m").lastKnownGood().contains("global limit"));

      raw.setData().forPath(path, "\"eleven\"".getBytes(StandardCharsets.UTF_8));
      await()
          .atMost(BOUND)
          .until(() -> pk.config().get(GLOBAL, "limit").orElseThrow().version() == 2);
      assertThat(view.lastKnownGoodKeys()).contains("limit");
      assertThat(limit.get()).isEqualTo(10);

      pk.config().set(GLOBAL, "limit", json("12"), OPS);
      await().atMost(BOUND).until(() -> limit.get() == 12);
      assertThat(view.lastKnownGoodKeys()).isEmpty();
    }
  }

  @Test
  void secretsAreMasked(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      pk.config()
          .setSchema(GLOBAL, "db.password", json("{\"type\":\"string\",\"writeOnly\":true}"));
      pk.config().set(GLOBAL, "db.password", json("\"hunter2\""), OPS);
      ConfigEntry entry = pk.config().get(GLOBAL, "db.password").orElseThrow();
      assertThat(entry.secret()).isTrue();
      assertThat(entry.display()).isEqualTo(Secrets.MASK).doesNotContain("hunter2");
      assertThat(pk.config().get(GLOBAL, "db.password").map(e -> e.value().asText()))
          .contains("hunter2");
      assertThat(Secrets.display(json("\"x\""), false)).isEqualTo("\"x\"");
      assertThat(Optional.of(entry).map(ConfigEntry::display).orElseThrow())
          .doesNotContain("hunter2");

      // Nothing Pipekeeper logs or throws about the key shows its value.
      ch.qos.logback.classic.Logger logger =
          (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.pipekeeper");
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
          new ch.qos.logback.core.read.ListAppender<>();
      logs.start();
      logger.addAppender(logs);
      try (ConfigView view = pk.config().view(List.of(GLOBAL))) {
        LiveValue<Integer> wrongType = view.bind("db.password", Integer.class, 0);
        assertThat(wrongType.get()).isZero();
        assertThatThrownBy(() -> view.get("db.password", Integer.class))
            .isInstanceOf(InvalidInputException.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        pk.config().set(GLOBAL, "db.password", json("\"s3cret-2\""), OPS);
        await()
            .atMost(BOUND)
            .until(() -> view.get("db.password", String.class).orElse("").equals("s3cret-2"));
      } finally {
        logger.detachAppender(logs);
      }
      assertThat(logs.list).isNotEmpty();
      assertThat(logs.list)
          .allSatisfy(
              event ->
                  assertThat(event.getFormattedMessage())
                      .doesNotContain("hunter2")
                      .doesNotContain("s3cret-2"));
    }
  }
}
