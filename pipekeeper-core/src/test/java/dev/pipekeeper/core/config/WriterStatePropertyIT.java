package dev.pipekeeper.core.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A writer writes on what its own last write left in a scope, without reading first; whatever
 * changed since (another writer's values or schemas, a raw client's values, pruned history) must
 * make it read again, never write on stale knowledge. Two Pipekeeper writers and a raw ZooKeeper
 * client make random changes to three keys; after each one ZooKeeper, each key's history and every
 * accept-or-refuse decision must match a model of what the change means.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class WriterStatePropertyIT {
  private static final Scope SCOPE = Scope.pipeline("property");
  private static final List<String> KEYS = List.of("a", "b", "c");
  private static final int HISTORY_LIMIT = 4;
  private static final int STEPS = 500;

  @Test
  void writesOnStaleKnowledgeAreNeverMade(TestCluster cluster) throws Exception {
    long seed = Seeds.seed("property.seed", "WriterStatePropertyIT");
    Random random = new Random(seed);
    Map<String, Integer> values = new TreeMap<>();
    Map<String, Integer> maxima = new HashMap<>();
    int scopeVersion = 0;
    try (Pipekeeper a = connect(cluster, "a");
        Pipekeeper b = connect(cluster, "b");
        CuratorFramework raw = raw(cluster)) {
      String root = ZkLayout.root(cluster.cluster());
      for (int step = 0; step < STEPS; step++) {
        Configuration writer = (random.nextBoolean() ? a : b).config();
        String key = KEYS.get(random.nextInt(KEYS.size()));
        int value = random.nextInt(12);
        int op = random.nextInt(10);
        String what;
        if (op < 4) {
          what = "set " + key + "=" + value;
          Integer max = maxima.get(key);
          if (max != null && value > max) {
            assertThatThrownBy(() -> writer.set(SCOPE, key, IntNode.valueOf(value), by()))
                .as("seed %d step %d: %s over maximum %d", seed, step, what, max)
                .isInstanceOf(InvalidInputException.class);
          } else {
            Integer old = values.get(key);
            ConfigCommit commit = writer.set(SCOPE, key, IntNode.valueOf(value), by());
            if (old != null && old == value) {
              assertThat(commit.keys()).as("seed %d step %d: %s", seed, step, what).isEmpty();
            } else {
              scopeVersion++;
              assertThat(commit.keys()).as("seed %d step %d: %s", seed, step, what).hasSize(1);
              assertLastHistory(writer, key, old, value, scopeVersion, seed, step);
              values.put(key, value);
            }
          }
        } else if (op < 6) {
          String other = KEYS.get((KEYS.indexOf(key) + 1) % KEYS.size());
          boolean deleteOther = random.nextInt(3) == 0;
          Map<String, JsonNode> batch = new HashMap<>();
          batch.put(key, IntNode.valueOf(value));
          batch.put(other, deleteOther ? null : IntNode.valueOf(value + 1));
          what = "apply " + batch;
          boolean refused =
              (maxima.containsKey(key) && value > maxima.get(key))
                  || (!deleteOther && maxima.containsKey(other) && value + 1 > maxima.get(other));
          if (refused) {
            assertThatThrownBy(() -> writer.apply(SCOPE, batch, by()))
                .as("seed %d step %d: %s", seed, step, what)
                .isInstanceOf(InvalidInputException.class);
          } else {
            Integer oldKey = values.get(key);
            Integer oldOther = values.get(other);
            Integer newOther = deleteOther ? null : value + 1;
            boolean keyChanges = oldKey == null || oldKey != value;
            boolean otherChanges = !java.util.Objects.equals(oldOther, newOther);
            ConfigCommit commit = writer.apply(SCOPE, batch, by());
            assertThat(commit.keys())
                .as("seed %d step %d: %s", seed, step, what)
                .hasSize((keyChanges ? 1 : 0) + (otherChanges ? 1 : 0));
            if (keyChanges || otherChanges) {
              scopeVersion++;
            }
            if (keyChanges) {
              assertLastHistory(writer, key, oldKey, value, scopeVersion, seed, step);
              values.put(key, value);
            }
            if (otherChanges) {
              assertLastHistory(writer, other, oldOther, newOther, scopeVersion, seed, step);
              if (newOther == null) {
                values.remove(other);
              } else {
                values.put(other, newOther);
              }
            }
          }
        } else if (op == 6) {
          what = "delete " + key;
          Integer old = values.get(key);
          if (old == null) {
            assertThatThrownBy(() -> writer.delete(SCOPE, key, by()))
                .as("seed %d step %d: %s of an unset key", seed, step, what)
                .isInstanceOf(InvalidInputException.class);
          } else {
            writer.delete(SCOPE, key, by());
            scopeVersion++;
            assertLastHistory(writer, key, old, null, scopeVersion, seed, step);
            values.remove(key);
          }
        } else if (op == 7) {
          // behind Pipekeeper's back: no commit, no history; a value within any schema here
          what = "raw " + key + "=" + (value % 5);
          String path = root + ZkLayout.configKey(SCOPE.path(), key);
          byte[] bytes = Integer.toString(value % 5).getBytes(StandardCharsets.UTF_8);
          if (values.containsKey(key)) {
            raw.setData().forPath(path, bytes);
          } else {
            raw.create().creatingParentsIfNeeded().forPath(path, bytes);
          }
          values.put(key, value % 5);
          // and, now and then, the oldest history entries pruned behind its back too
          String history = root + ZkLayout.configHistory(SCOPE.path(), key);
          if (random.nextBoolean() && raw.checkExists().forPath(history) != null) {
            List<String> entries = raw.getChildren().forPath(history).stream().sorted().toList();
            if (!entries.isEmpty()) {
              raw.delete().forPath(history + "/" + entries.get(0));
            }
          }
        } else if (op == 8) {
          int max = 4 + value % 6;
          what = "schema " + key + " maximum " + max;
          JsonNode schema = ConfigurationIT.json("{\"type\":\"integer\",\"maximum\":" + max + "}");
          Integer current = values.get(key);
          if (current != null && current > max) {
            assertThatThrownBy(() -> writer.setSchema(SCOPE, key, schema))
                .as("seed %d step %d: %s over the current %d", seed, step, what, current)
                .isInstanceOf(InvalidInputException.class);
          } else {
            writer.setSchema(SCOPE, key, schema);
            maxima.put(key, max);
          }
        } else {
          what = "no schema for " + key;
          writer.deleteSchema(SCOPE, key);
          maxima.remove(key);
        }
        Configuration reader = a.config();
        for (String k : KEYS) {
          assertThat(reader.get(SCOPE, k).map(e -> e.value().asInt()))
              .as("seed %d step %d after %s: %s", seed, step, what, k)
              .isEqualTo(Optional.ofNullable(values.get(k)));
          assertThat(reader.history(SCOPE, k).size())
              .as("seed %d step %d after %s: history of %s", seed, step, what, k)
              .isLessThanOrEqualTo(HISTORY_LIMIT);
        }
        assertThat(reader.version(SCOPE))
            .as("seed %d step %d after %s: scope version", seed, step, what)
            .isEqualTo(scopeVersion);
      }
    }
  }

  @Test
  void whatChangedSinceAWritersLastWriteIsSeen(TestCluster cluster) throws Exception {
    try (Pipekeeper a = connect(cluster, "a");
        Pipekeeper b = connect(cluster, "b");
        CuratorFramework raw = raw(cluster)) {
      String root = ZkLayout.root(cluster.cluster());
      Configuration config = a.config();
      config.set(SCOPE, "k", IntNode.valueOf(1), by());

      // a schema set by another writer: no commit, yet the next write must be checked against it
      b.config()
          .setSchema(SCOPE, "k", ConfigurationIT.json("{\"type\":\"integer\",\"maximum\":5}"));
      assertThatThrownBy(() -> config.set(SCOPE, "k", IntNode.valueOf(9), by()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("does not match its schema");
      config.set(SCOPE, "k", IntNode.valueOf(2), by());
      // and taken away by another writer: the value it refused before is fine now
      b.config().deleteSchema(SCOPE, "k");
      assertThat(config.set(SCOPE, "k", IntNode.valueOf(9), by()).keys()).containsExactly("k");

      // a key a batch leaves as this writer last wrote it, changed behind Pipekeeper's back
      Map<String, JsonNode> batch = new HashMap<>();
      batch.put("k", IntNode.valueOf(9));
      batch.put("j", IntNode.valueOf(1));
      config.apply(SCOPE, batch, by());
      raw.setData().forPath(root + ZkLayout.configKey(SCOPE.path(), "k"), "7".getBytes(UTF_8));
      batch.put("j", IntNode.valueOf(2));
      assertThat(config.apply(SCOPE, batch, by()).keys()).containsExactly("j", "k");
      assertThat(config.get(SCOPE, "k").orElseThrow().value().asInt()).isEqualTo(9);
      assertThat(last(config, "k").oldValue().map(JsonNode::asInt)).contains(7);

      // a key this writer deleted, created behind its back, then deleted in a batch
      config.delete(SCOPE, "j", by());
      raw.create().forPath(root + ZkLayout.configKey(SCOPE.path(), "j"), "3".getBytes(UTF_8));
      batch.put("j", null);
      batch.put("k", IntNode.valueOf(10));
      assertThat(config.apply(SCOPE, batch, by()).keys()).containsExactly("j", "k");
      assertThat(config.get(SCOPE, "j")).isEmpty();

      // history entries pruned behind its back
      for (int i = 0; i < HISTORY_LIMIT; i++) {
        config.set(SCOPE, "k", IntNode.valueOf(20 + i), by());
      }
      String history = root + ZkLayout.configHistory(SCOPE.path(), "k");
      String oldest =
          raw.getChildren().forPath(history).stream().sorted().findFirst().orElseThrow();
      raw.delete().forPath(history + "/" + oldest);
      config.set(SCOPE, "k", IntNode.valueOf(30), by());
      assertThat(config.history(SCOPE, "k")).hasSize(HISTORY_LIMIT);
      assertThat(last(config, "k").newValue().map(JsonNode::asInt)).contains(30);
    }
  }

  private static HistoryEntry last(Configuration config, String key) {
    List<HistoryEntry> history = config.history(SCOPE, key);
    return history.get(history.size() - 1);
  }

  @Test
  void anExpectedVersionIsCheckedAgainstTheKeyNotTheWritersLastWrite(TestCluster cluster) {
    try (Pipekeeper a = connect(cluster, "a");
        Pipekeeper b = connect(cluster, "b")) {
      a.config().set(SCOPE, "k", IntNode.valueOf(1), by());
      b.config().set(SCOPE, "k", IntNode.valueOf(2), by());
      // a last wrote version 0; the key is at 1 now, as its caller read
      assertThat(a.config().set(SCOPE, "k", IntNode.valueOf(3), by().expectVersion(1)).keys())
          .containsExactly("k");
      assertThatThrownBy(
              () -> a.config().set(SCOPE, "k", IntNode.valueOf(4), by().expectVersion(1)))
          .isInstanceOf(ConfigConflictException.class)
          .hasMessageContaining("is at version 2, not the expected 1");
      b.config().set(SCOPE, "k", IntNode.valueOf(5), by());
      Map<String, JsonNode> batch = new HashMap<>();
      batch.put("k", IntNode.valueOf(6));
      assertThat(a.config().apply(SCOPE, batch, by().expectVersion(4)).scopeVersion()).isEqualTo(5);
      assertThat(a.config().get(SCOPE, "k").orElseThrow().value().asInt()).isEqualTo(6);
    }
  }

  private static void assertLastHistory(
      Configuration config,
      String key,
      Integer old,
      Integer now,
      int scopeVersion,
      long seed,
      int step) {
    List<HistoryEntry> history = config.history(SCOPE, key);
    assertThat(history).as("seed %d step %d: history of %s", seed, step, key).isNotEmpty();
    HistoryEntry last = history.get(history.size() - 1);
    assertThat(last.oldValue().map(JsonNode::asInt))
        .as("seed %d step %d: old value of %s in its history", seed, step, key)
        .isEqualTo(Optional.ofNullable(old));
    assertThat(last.newValue().map(JsonNode::asInt))
        .as("seed %d step %d: new value of %s in its history", seed, step, key)
        .isEqualTo(Optional.ofNullable(now));
    assertThat(last.scopeVersion())
        .as("seed %d step %d: scope version of %s's change", seed, step, key)
        .isEqualTo(scopeVersion);
  }

  /** A plain ZooKeeper client, writing behind Pipekeeper's back. */
  private static CuratorFramework raw(TestCluster cluster) {
    CuratorFramework raw =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100));
    raw.start();
    return raw;
  }

  private static ChangeOptions by() {
    return ChangeOptions.by("property");
  }

  private static Pipekeeper connect(TestCluster cluster, String identity) {
    return Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(identity)
        .sessionTimeout(Duration.ofSeconds(10))
        .connectionTimeout(Duration.ofSeconds(5))
        .configHistoryLimit(HISTORY_LIMIT)
        .build();
  }
}
