package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the configuration's write path lets in, and how it behaves under contention. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigWriteIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();
  static final Scope PIPELINE = Scope.pipeline("enrichment");
  static final ChangeOptions OPS = ChangeOptions.by("ops");
  static final int WRITERS = 4;
  static final int ROUNDS = 10;

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** {@code connections} connections of their own, closed by the caller. */
  static List<Pipekeeper> connections(TestCluster cluster, int connections) {
    List<Pipekeeper> all = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      all.add(Clients.connect(cluster, "writer-" + i));
    }
    return all;
  }

  /** Runs {@code task} on every connection at the same moment and returns their results. */
  static <T> List<T> race(ExecutorService threads, List<Pipekeeper> writers, Racer<T> task)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(writers.size());
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < writers.size(); i++) {
      Pipekeeper writer = writers.get(i);
      int index = i;
      futures.add(
          threads.submit(
              () -> {
                start.await();
                return task.run(writer.config(), index);
              }));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> future : futures) {
      results.add(future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
    }
    return results;
  }

  /** A plain set, made again while it conflicts with the installs it races with. */
  static void setRetrying(Configuration config, Scope scope, String key, int value) {
    while (true) {
      try {
        config.set(scope, key, IntNode.valueOf(value), OPS);
        return;
      } catch (ConfigConflictException conflict) {
        // an install landed in between: set is optimistic, so its caller retries
      }
    }
  }

  interface Racer<T> {
    T run(Configuration config, int index) throws Exception;
  }

  @Test
  void ensureSchemaConvergesWhenManyInstallItAtOnce(TestCluster cluster) throws Exception {
    JsonNode schema = json("{\"type\":\"number\",\"minimum\":0}");
    List<Pipekeeper> writers = connections(cluster, WRITERS);
    ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 1);
    AtomicBoolean stop = new AtomicBoolean();
    try {
      Configuration config = writers.get(0).config();
      // Someone keeps changing the keys' values meanwhile: the schema checks the value it was
      // validated against, so these changes make installs conflict and retry.
      Future<?> valueWriter =
          threads.submit(
              () -> {
                try (Pipekeeper other = Clients.connect(cluster, "value-writer")) {
                  for (int i = 0; !stop.get(); i++) {
                    setRetrying(other.config(), PIPELINE, "key-" + (i % ROUNDS), i);
                  }
                }
                return null;
              });
      for (int round = 0; round < ROUNDS; round++) {
        String key = "key-" + round;
        List<Boolean> wrote =
            race(threads, writers, (c, i) -> c.ensureSchema(PIPELINE, key, schema));
        assertThat(wrote).as("someone installed it").contains(true);
        assertThat(config.schema(PIPELINE, key)).contains(schema);
      }
      stop.set(true);
      valueWriter.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      // already there: a no-op, whoever asks
      for (Pipekeeper writer : writers) {
        assertThat(writer.config().ensureSchema(PIPELINE, "key-0", schema)).isFalse();
      }
      // the same schema built differently (key order, int vs double) is the same schema
      assertThat(
              config.ensureSchema(PIPELINE, "key-0", json("{\"minimum\":0,\"type\":\"number\"}")))
          .isFalse();
      // a different one replaces it; one the current value fails is refused, not retried
      assertThat(config.ensureSchema(PIPELINE, "key-0", json("{\"type\":\"integer\"}"))).isTrue();
      assertThat(config.schema(PIPELINE, "key-0")).contains(json("{\"type\":\"integer\"}"));
      assertThatThrownBy(
              () -> config.ensureSchema(PIPELINE, "key-0", json("{\"type\":\"string\"}")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("the current value does not match it");
    } finally {
      stop.set(true);
      threads.shutdownNow();
      writers.forEach(Pipekeeper::close);
    }
  }

  @Test
  void setIfAbsentCreatesAKeyOnceWhenManyTryAtOnce(TestCluster cluster) throws Exception {
    List<Pipekeeper> writers = connections(cluster, WRITERS);
    ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
    try {
      Configuration config = writers.get(0).config();
      for (int round = 0; round < ROUNDS; round++) {
        String key = "default-" + round;
        int r = round;
        // each writer also changes a key of its own in the same scope: scope-version conflicts
        List<ConfigCommit> commits =
            race(
                threads,
                writers,
                (c, i) -> {
                  setRetrying(c, PIPELINE, "own-" + i, r * 100 + i);
                  return c.setIfAbsent(PIPELINE, key, IntNode.valueOf(i), OPS);
                });
        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < commits.size(); i++) {
          if (!commits.get(i).keys().isEmpty()) {
            assertThat(commits.get(i).keys()).containsExactly(key);
            winners.add(i);
          }
        }
        assertThat(winners).as("exactly one writer created " + key).hasSize(1);
        assertThat(config.get(PIPELINE, key).orElseThrow().value())
            .isEqualTo(IntNode.valueOf(winners.get(0)));
        assertThat(config.history(PIPELINE, key)).hasSize(1);
      }
      // present: nothing written, the value kept, the scope's version in the result
      int version = config.version(PIPELINE);
      ConfigCommit present = config.setIfAbsent(PIPELINE, "default-0", IntNode.valueOf(99), OPS);
      assertThat(present.keys()).isEmpty();
      assertThat(present.scopeVersion()).isEqualTo(version);
      assertThat(config.version(PIPELINE)).isEqualTo(version);
      assertThatThrownBy(
              () -> config.setIfAbsent(PIPELINE, "other", IntNode.valueOf(1), OPS.expectVersion(0)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("expected version");
    } finally {
      threads.shutdownNow();
      writers.forEach(Pipekeeper::close);
    }
  }

  @Test
  void nonFiniteNumbersAreRefusedAndNothingIsWritten(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      config.setSchema(GLOBAL, "num", json("{\"type\":\"number\"}"));
      List<JsonNode> bad =
          List.of(
              DoubleNode.valueOf(Double.POSITIVE_INFINITY),
              DoubleNode.valueOf(Double.NEGATIVE_INFINITY),
              DoubleNode.valueOf(Double.NaN),
              FloatNode.valueOf(Float.POSITIVE_INFINITY),
              DecimalNode.valueOf(new BigDecimal("1e999")));
      for (JsonNode value : bad) {
        assertThatThrownBy(() -> config.set(GLOBAL, "num", value, OPS))
            .as(value.toString())
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("config global num")
            .hasMessageContaining("not a finite number");
      }
      // what `config set num 1e999` hands the library: Jackson reads 1e999 as Infinity
      assertThatThrownBy(() -> config.set(GLOBAL, "num", json("1e999"), OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("not a finite number");
      JsonNode nested = JSON.createObjectNode().set("list", JSON.createArrayNode().add(Double.NaN));
      Map<String, JsonNode> batch = new LinkedHashMap<>();
      batch.put("fine", IntNode.valueOf(1));
      batch.put("nested", nested);
      assertThatThrownBy(() -> config.apply(GLOBAL, batch, OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("config global nested")
          .hasMessageContaining("at /list/0");
      assertThatThrownBy(() -> config.set(GLOBAL, "num", (Object) Double.NaN, OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("not a finite number");
      assertThatThrownBy(
              () ->
                  config.setSchema(
                      GLOBAL,
                      "capped",
                      JSON.createObjectNode()
                          .put("type", "number")
                          .put("maximum", Double.POSITIVE_INFINITY)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("not a finite number");
      assertThat(config.version(GLOBAL)).isZero();
      assertThat(config.list(GLOBAL)).isEmpty();
      assertThat(config.schema(GLOBAL, "capped")).isEmpty();
      // the largest finite double is fine
      config.set(GLOBAL, "num", DoubleNode.valueOf(Double.MAX_VALUE), OPS);
      assertThat(config.get(GLOBAL, "num").orElseThrow().value().doubleValue())
          .isEqualTo(Double.MAX_VALUE);
    }
  }

  @Test
  void checkRefusesWhatApplyWouldRefuseAndWritesNothing(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      config.setSchema(GLOBAL, "mode", json("{\"enum\":[\"fast\",\"safe\"]}"));
      int version = config.version(GLOBAL);

      config.check(GLOBAL, Map.of("mode", TextNode.valueOf("fast"), "other", IntNode.valueOf(1)));
      Map<String, JsonNode> delete = new HashMap<>();
      delete.put("mode", null);
      config.check(GLOBAL, delete); // a delete passes
      String refusal = "";
      try {
        config.apply(GLOBAL, Map.of("mode", TextNode.valueOf("slow")), OPS);
      } catch (InvalidInputException e) {
        refusal = e.getMessage();
      }
      assertThat(refusal).contains("does not match its schema");
      assertThatThrownBy(() -> config.check(GLOBAL, Map.of("mode", TextNode.valueOf("slow"))))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage(refusal);
      assertThatThrownBy(() -> config.check(GLOBAL, Map.of("bad key", IntNode.valueOf(1))))
          .isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(() -> config.check(GLOBAL, Map.of("x", DoubleNode.valueOf(Double.NaN))))
          .isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(() -> config.check(GLOBAL, Map.of()))
          .isInstanceOf(InvalidInputException.class);
      // the schema is the scope's: another scope has none
      config.check(PIPELINE, Map.of("mode", TextNode.valueOf("slow")));
      assertThat(config.version(GLOBAL)).isEqualTo(version);
      assertThat(config.get(GLOBAL, "mode")).isEmpty();
      assertThat(config.get(GLOBAL, "other")).isEmpty();
    }
  }

  @Test
  void schemasAreCheckedAgainstTheMetaSchemaBeforeTheyAreStored(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      for (String invalid :
          List.of(
              "{\"type\":\"nonsense\"}",
              "{\"required\":5}",
              "{\"minimum\":\"zero\"}",
              "{\"properties\":{\"a\":{\"type\":\"nope\"}}}",
              "{\"type\":\"object\",\"additionalProperties\":3}")) {
        // a key with no value yet: nothing but the meta-schema can refuse the schema
        assertThatThrownBy(() -> config.setSchema(GLOBAL, "k", json(invalid)))
            .as(invalid)
            .isInstanceOf(InvalidInputException.class)
            .hasMessageStartingWith(
                "schema for global k is not valid: it does not satisfy the JSON Schema draft"
                    + " 2020-12 meta-schema");
        assertThatThrownBy(() -> config.ensureSchema(GLOBAL, "k", json(invalid)))
            .as(invalid)
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("meta-schema");
      }
      assertThat(config.schema(GLOBAL, "k")).isEmpty();
      // values are still accepted: no schema was stored
      config.set(GLOBAL, "k", IntNode.valueOf(4), OPS);
      for (String valid : List.of("{\"type\":\"number\"}", "true", "{}", "{\"required\":[]}")) {
        config.setSchema(GLOBAL, "k", json(valid));
        assertThat(config.schema(GLOBAL, "k")).contains(json(valid));
      }
    }
  }

  @Test
  void aChangeTooLargeForOneZooKeeperRequestIsRefusedBeforeItIsSent(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      List<ConnectionState> states = new CopyOnWriteArrayList<>();
      pk.onConnectionStateChange(states::add);
      Configuration config = pk.config();
      TextNode value = TextNode.valueOf("x".repeat(250 * 1024)); // under the 256 KiB limit
      Map<String, JsonNode> three = new LinkedHashMap<>();
      for (String key : List.of("blob.a", "blob.b", "blob.c")) {
        three.put(key, value);
      }
      assertThatThrownBy(() -> config.apply(PIPELINE, three, OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("config pipeline/enrichment")
          .hasMessageContaining("one ZooKeeper transaction")
          .hasMessageContaining("jute.maxbuffer")
          .hasMessageContaining("nothing was written");
      assertThat(config.version(PIPELINE)).isZero();
      assertThat(config.list(PIPELINE)).isEmpty();
      assertThat(config.history(PIPELINE, "blob.a")).isEmpty();

      Map<String, JsonNode> two = new HashMap<>(three);
      two.remove("blob.c");
      assertThat(config.apply(PIPELINE, two, OPS).keys()).containsExactly("blob.a", "blob.b");
      assertThat(config.list(PIPELINE)).hasSize(2);
      assertThat(pk.connectionState()).isEqualTo(ConnectionState.CONNECTED);
      assertThat(states).as("the connection was never dropped").isEmpty();
    }
  }

  /** A plain Java value for the typed setters. */
  record Limits(int rps, List<Integer> burst) {}

  @Test
  void typedSettersConvertThroughJackson(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "a")) {
      Configuration config = pk.config();
      config.set(GLOBAL, "limits", new Limits(100, List.of(1, 2)), OPS);
      assertThat(config.get(GLOBAL, "limits").orElseThrow().value())
          .isEqualTo(json("{\"rps\":100,\"burst\":[1,2]}"));
      config.set(GLOBAL, "threshold", 0.9, OPS);
      config.set(GLOBAL, "mode", "fast", OPS);
      config.set(GLOBAL, "timeout", Duration.ofSeconds(5), OPS);
      assertThat(config.get(GLOBAL, "threshold").orElseThrow().value()).isEqualTo(json("0.9"));
      assertThat(config.get(GLOBAL, "mode").orElseThrow().value()).isEqualTo(json("\"fast\""));
      try (ConfigView view = config.view(List.of(GLOBAL))) {
        // what a view converts back is what was set
        assertThat(view.get("timeout", Duration.class, Duration.ZERO))
            .isEqualTo(Duration.ofSeconds(5));
        assertThat(view.get("limits", Limits.class, null))
            .isEqualTo(new Limits(100, List.of(1, 2)));
      }

      Map<String, Object> batch = new LinkedHashMap<>();
      batch.put("mode", "slow");
      batch.put("tags", Map.of("region", "eu"));
      batch.put("timeout", null); // deletes
      ConfigCommit commit = config.applyValues(GLOBAL, batch, OPS);
      assertThat(commit.keys()).containsExactly("mode", "tags", "timeout");
      assertThat(config.get(GLOBAL, "tags").orElseThrow().value())
          .isEqualTo(json("{\"region\":\"eu\"}"));
      assertThat(config.get(GLOBAL, "timeout")).isEmpty();

      assertThat(config.setIfAbsent(GLOBAL, "mode", "other", OPS).keys()).isEmpty();
      assertThat(config.setIfAbsent(GLOBAL, "fresh", List.of("a"), OPS).keys())
          .containsExactly("fresh");

      int version = config.version(GLOBAL);
      assertThatThrownBy(() -> config.set(GLOBAL, "bad", new Object(), OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("config global bad: a java.lang.Object cannot be written as JSON");
      assertThatThrownBy(() -> config.set(GLOBAL, "bad", (Object) null, OPS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("value is missing; use delete");
      assertThat(config.version(GLOBAL)).isEqualTo(version);
    }
  }
}
