package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Views apply a small change from the commit node's record alone; these are the cases in which that
 * record does not tell the whole story and the view must read the scope.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigDeltaIT {
  static final Scope SCOPE = Scope.pipeline("delta");
  static final ChangeOptions OPS = ChangeOptions.by("ops");

  @Test
  void keysWrittenBehindOurBackBetweenChangesAreNotMissed(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "m");
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      pk.config().set(SCOPE, "a", IntNode.valueOf(0), OPS);
      pk.config().set(SCOPE, "b", IntNode.valueOf(0), OPS);
      ConfigView view = pk.config().view(List.of(SCOPE));
      String b = ZkLayout.root(cluster.cluster()) + ZkLayout.configKey(SCOPE.path(), "b");
      int rounds = 100;
      for (int i = 1; i <= rounds; i++) {
        pk.config().set(SCOPE, "a", IntNode.valueOf(i), OPS);
        raw.setData().forPath(b, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
      }
      await()
          .atMost(ConfigurationIT.BOUND)
          .untilAsserted(
              () ->
                  assertThat(view.values())
                      .isEqualTo(
                          Map.of("a", IntNode.valueOf(rounds), "b", IntNode.valueOf(rounds))));

      // Another tool writes the commit node with a record that names only "a", and "b" in the
      // same multi-op: the record does not account for b's event, so the view reads the scope.
      String root = ZkLayout.root(cluster.cluster());
      String commit = root + ZkLayout.configCommit(SCOPE.path());
      String a = root + ZkLayout.configKey(SCOPE.path(), "a");
      ObjectNode record = (ObjectNode) ConfigurationIT.JSON.readTree(raw.getData().forPath(commit));
      record.set("keys", ConfigurationIT.json("[\"a\"]"));
      record.set("values", ConfigurationIT.json("{\"a\": 500}"));
      raw.transaction()
          .forOperations(
              raw.transactionOp()
                  .setData()
                  .forPath(commit, ConfigurationIT.JSON.writeValueAsBytes(record)),
              raw.transactionOp().setData().forPath(a, "500".getBytes(StandardCharsets.UTF_8)),
              raw.transactionOp().setData().forPath(b, "500".getBytes(StandardCharsets.UTF_8)));
      await()
          .atMost(ConfigurationIT.BOUND)
          .untilAsserted(
              () ->
                  assertThat(view.values())
                      .isEqualTo(Map.of("a", IntNode.valueOf(500), "b", IntNode.valueOf(500))));
    }
  }

  @Test
  void aValueValidUnderANewSchemaIsAppliedNotKeptAsLastKnownGood(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "m")) {
      pk.config()
          .setSchema(SCOPE, "limit", ConfigurationIT.json("{\"type\":\"integer\",\"maximum\":10}"));
      pk.config().set(SCOPE, "limit", IntNode.valueOf(5), OPS);
      ConfigView view = pk.config().view(List.of(SCOPE));
      LiveValue<Integer> limit = view.bind("limit", Integer.class, 0);
      pk.config().set(SCOPE, "limit", IntNode.valueOf(6), OPS);
      await().atMost(ConfigurationIT.BOUND).until(() -> limit.get() == 6);

      // The view last read the old schema; the writer validates against the new one.
      pk.config().setSchema(SCOPE, "limit", ConfigurationIT.json("{\"type\":\"integer\"}"));
      pk.config().set(SCOPE, "limit", IntNode.valueOf(50), OPS);
      await().atMost(ConfigurationIT.BOUND).until(() -> limit.get() == 50);
      assertThat(view.lastKnownGoodKeys()).isEmpty();
    }
  }

  @Test
  void changesTooBigForTheCommitRecordAndDeletesArriveWhole(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "m")) {
      pk.config().set(SCOPE, "small", IntNode.valueOf(1), OPS);
      pk.config().set(SCOPE, "gone", IntNode.valueOf(1), OPS);
      ConfigView view = pk.config().view(List.of(SCOPE));
      JsonNode big = TextNode.valueOf("x".repeat(40_000));
      Map<String, JsonNode> change = new LinkedHashMap<>();
      change.put("small", IntNode.valueOf(2));
      change.put("big", big);
      change.put("gone", null);
      pk.config().apply(SCOPE, change, OPS);
      await()
          .atMost(ConfigurationIT.BOUND)
          .untilAsserted(
              () ->
                  assertThat(view.values())
                      .isEqualTo(Map.of("small", IntNode.valueOf(2), "big", big)));

      Map<String, JsonNode> smaller = new LinkedHashMap<>();
      smaller.put("big", null);
      smaller.put("small", IntNode.valueOf(3));
      smaller.put("new", IntNode.valueOf(4));
      pk.config().apply(SCOPE, smaller, OPS);
      await()
          .atMost(ConfigurationIT.BOUND)
          .untilAsserted(
              () ->
                  assertThat(view.values())
                      .isEqualTo(Map.of("small", IntNode.valueOf(3), "new", IntNode.valueOf(4))));
      assertThat(view.appliedVersions()).containsEntry(SCOPE, pk.config().version(SCOPE));
    }
  }
}
