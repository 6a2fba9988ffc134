package dev.pipekeeper.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.connect.testing.SinkFixture;
import dev.pipekeeper.connect.testing.StandaloneWorker;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigAddress;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink on a cluster's configuration tree, in a real standalone worker: commands go through
 * Pipekeeper's config module, so a batch is one atomic change of its scope with history (who: the
 * connector; comment: the record), a value its schema refuses sends the whole record to the
 * dead-letter topic, a secret stays secret, compare-and-set conflicts are reported, and a restart
 * without Connect's offsets changes nothing twice (the offset rides in the config change's
 * multi-op).
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigSinkIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();

  @TempDir Path dir;

  @Test
  void batchesGoThroughTheConfigModuleAtomicallyAndOnce(TestCluster cluster) throws Exception {
    String root = ConfigAddress.root(cluster.cluster());
    String rate = root + "/global/rate";
    String name = root + "/global/name";
    String token = root + "/global/token";
    Path workerOffsets = dir.resolve("offsets");
    try (Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(cluster.zkConnect())
                .cluster(cluster.cluster())
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        SinkFixture sink = new SinkFixture(cluster, root)) {
      Configuration config = pk.config();
      config.setSchema(GLOBAL, "rate", json("{\"type\":\"integer\",\"minimum\":1}"));
      config.setSchema(GLOBAL, "token", json("{\"type\":\"string\",\"writeOnly\":true}"));
      Map<String, String> settings = sink.config(ZooKeeperSinkConnector.class.getName());
      java.util.Set<Long> before = ZooKeeperSinkConnectorIT.sessions(cluster);
      try (StandaloneWorker worker =
          StandaloneWorker.start(cluster.bootstrapServers(), workerOffsets)) {
        worker.putConnector("sink", settings);
        sink.send(
            batch(set(rate, "5"), set(name, "\"first\"")),
            batch(set(rate, "0"), set(name, "\"refused\"")), // rate's schema refuses 0
            "{\"op\":\"set\",\"path\":\"" + rate + "\",\"json\":6,\"expectedVersion\":4}",
            "{\"op\":\"create\",\"path\":\"" + name + "\",\"json\":\"again\"}",
            batch(set(rate, "7"), set(root + "/pipeline/p/rate", "7")),
            set(token, "\"s3cret\""),
            set("/pipekeeper/" + cluster.cluster() + "/members/x", "1"),
            "{\"op\":\"delete\",\"path\":\"" + name + "\",\"expectedVersion\":0}");
        List<JsonNode> outcomes = sink.awaitOutcomes(8);
        assertThat(outcomes)
            .extracting(o -> o.get("outcome").asText())
            .containsExactly(
                "applied",
                "rejected",
                "conflict",
                "conflict",
                "rejected",
                "applied",
                "rejected",
                "applied");
        assertThat(outcomes.get(1).get("reason").asText()).contains("does not match its schema");
        assertThat(outcomes.get(2).get("reason").asText())
            .contains("rate is at version 0, not the expected 4");
        assertThat(outcomes.get(4).get("reason").asText()).contains("one scope");
        assertThat(outcomes.get(6).get("reason").asText())
            .contains("outside the connector's subtree");
        assertThat(outcomes.toString()).doesNotContain("s3cret");

        assertThat(config.get(GLOBAL, "rate").orElseThrow().value().intValue()).isEqualTo(5);
        assertThat(config.get(GLOBAL, "name")).isEmpty();
        assertThat(config.isSecret(GLOBAL, "token")).isTrue();
        List<HistoryEntry> history = config.history(GLOBAL, "rate");
        assertThat(history)
            .singleElement()
            .satisfies(
                e -> {
                  assertThat(e.who()).isEqualTo("connect/sink");
                  assertThat(e.comment()).isEqualTo("kafka " + sink.commands + "-0@0");
                });
        // one change for the batch, one for the secret, one for the delete
        assertThat(config.version(GLOBAL)).isEqualTo(3);

        await().atMost(SinkFixture.BOUND).until(() -> sink.deadLetters().size() == 3);
        List<ConsumerRecord<String, String>> dead = sink.deadLetters();
        assertThat(SinkFixture.header(dead.get(0), ZooKeeperSinkTask.REASON_HEADER))
            .contains("config global rate: value does not match its schema");
      }
      sink.rewind("sink"); // as if Connect had committed nothing
      sink.send(set(rate, "9"));
      try (StandaloneWorker worker =
          StandaloneWorker.start(cluster.bootstrapServers(), workerOffsets)) {
        worker.putConnector("sink", settings);
        List<JsonNode> outcomes = sink.awaitOutcomes(9);
        assertThat(outcomes.get(8).get("outcome").asText()).isEqualTo("applied");
        assertThat(outcomes.get(8).get("offset").asLong()).isEqualTo(8);
        assertThat(config.get(GLOBAL, "rate").orElseThrow().value().intValue()).isEqualTo(9);
        assertThat(config.version(GLOBAL)).isEqualTo(4);
        assertThat(config.history(GLOBAL, "rate")).hasSize(2);
        await().atMost(SinkFixture.BOUND).until(() -> sink.committed("sink") == 9);
      }
      // nothing went to the dead-letter topic twice
      assertThat(sink.deadLetters()).hasSize(3);
      // the task's client and its Pipekeeper connection closed with the worker
      await()
          .atMost(SinkFixture.BOUND)
          .until(() -> before.containsAll(ZooKeeperSinkConnectorIT.sessions(cluster)));
    }
  }

  static String set(String path, String jsonValue) {
    return "{\"op\":\"set\",\"path\":\"" + path + "\",\"json\":" + jsonValue + "}";
  }

  static String batch(String... commands) {
    return "{\"batch\":[" + String.join(",", commands) + "]}";
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }
}
