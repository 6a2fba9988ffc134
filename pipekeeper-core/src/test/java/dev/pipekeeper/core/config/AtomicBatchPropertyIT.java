package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.Seeds;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Property: random multi-key batches are seen whole by concurrent listeners. Every batch sets a
 * random subset of keys to the batch's number and marks the others it touches; a listener must
 * never see a state in which only part of a batch has landed.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class AtomicBatchPropertyIT {
  private static final int KEYS = 6;
  private static final int BATCHES = 60;
  private static final int VIEWS = 4;

  @Test
  void everyListenerSeesEveryBatchWhole(TestCluster cluster) {
    long seed = Seeds.seed("property.seed", "AtomicBatchPropertyIT");
    Random random = new Random(seed);
    Scope scope = Scope.pipeline("atomic");
    List<String> violations = new CopyOnWriteArrayList<>();
    List<Map<String, Integer>> expectedStates = new ArrayList<>();
    try (Pipekeeper writer = Clients.connect(cluster, "writer");
        Pipekeeper readers = Clients.connect(cluster, "readers")) {
      // Each batch writes "n" and a random subset of keys, all to the batch number n.
      List<Set<String>> batches = new ArrayList<>();
      List<ConfigView> views = new ArrayList<>();
      for (int v = 0; v < VIEWS; v++) {
        ConfigView view = readers.config().view(List.of(scope));
        views.add(view);
        view.onBatch(
            change -> {
              int n = view.get("n", Integer.class, 0);
              if (n == 0) {
                return;
              }
              // Every key of batch n must hold n now, unless a later batch overwrote it.
              for (String key : batches.get(n - 1)) {
                int value = view.get(key, Integer.class, -1);
                if (value < n) {
                  violations.add("seed " + seed + ": batch " + n + " torn at " + key + "=" + value);
                }
              }
            });
      }
      Map<String, Integer> state = new LinkedHashMap<>();
      for (int n = 1; n <= BATCHES; n++) {
        Set<String> keys = new HashSet<>();
        keys.add("n");
        for (int k = 0; k < KEYS; k++) {
          if (random.nextBoolean()) {
            keys.add("k" + k);
          }
        }
        batches.add(keys);
        Map<String, JsonNode> change = new LinkedHashMap<>();
        for (String key : keys) {
          change.put(key, IntNode.valueOf(n));
          state.put(key, n);
        }
        writer.config().apply(scope, change, ChangeOptions.by("property"));
        expectedStates.add(Map.copyOf(state));
      }
      Map<String, Integer> last = expectedStates.get(expectedStates.size() - 1);
      for (ConfigView view : views) {
        await()
            .atMost(TestTimeouts.scaled(Duration.ofSeconds(30)))
            .untilAsserted(
                () -> {
                  Map<String, Integer> seen = new LinkedHashMap<>();
                  view.values().forEach((k, v) -> seen.put(k, v.asInt()));
                  assertThat(seen).as("seed %d", seed).isEqualTo(last);
                });
      }
    }
    assertThat(violations).as("seed %d", seed).isEmpty();
  }
}
