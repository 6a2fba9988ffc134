package dev.pipekeeper.console;

import static dev.pipekeeper.console.ConsoleIT.BOUND;
import static dev.pipekeeper.console.ConsoleIT.assertError;
import static dev.pipekeeper.console.ConsoleIT.get;
import static dev.pipekeeper.console.ConsoleIT.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** ZooKeeper away: the data endpoints answer 503 JSON, the console keeps serving, and recovers. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleOutageIT {

  @Test
  void anOutageIs503WhileTheConsoleKeepsServing(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", cluster.zookeeper().server(1).clientPort());
        Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(proxy.address())
                .cluster(cluster.cluster())
                .identity("console-it")
                .sessionTimeout(Duration.ofSeconds(30))
                .connectionTimeout(Duration.ofSeconds(2))
                .build();
        Console console =
            Console.builder(pk).operatorTokens(ConsoleWritesIT.tokens(dir)).build().start()) {
      String key = "/api/v1/clusters/" + cluster.cluster() + "/config/keys/batch.size";
      String leaders = "/api/v1/clusters/" + cluster.cluster() + "/leaders";
      ok(console, leaders);
      EventStream live = EventStream.open(ConsoleIT.HTTP, console.url(), null);
      await().atMost(BOUND).until(() -> !live.ofType("ready").isEmpty());

      proxy.cut();
      await()
          .atMost(BOUND)
          .until(
              () ->
                  live.ofType("connection").stream()
                      .anyMatch(e -> !e.data().path("connected").asBoolean()));
      await().atMost(BOUND).until(() -> get(console, leaders).status() == 503);
      assertError(get(console, leaders), 503, "unreachable");
      assertThat(get(console, leaders).json().path("message").asText()).contains("ZooKeeper");
      ConsoleIT.Answer health = get(console, "/api/v1/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().path("connected").asBoolean()).isFalse();
      assertThat(ok(console, "/api/openapi.json").path("openapi").asText()).startsWith("3.");
      ConsoleWritesIT.Answer write =
          ConsoleWritesIT.as(console, ConsoleWritesIT.ALICE, "PUT", key, "{\"value\": 1}");
      assertThat(write.status()).isEqualTo(503);
      assertThat(write.error()).isEqualTo("unreachable");
      try (EventStream stream = EventStream.open(ConsoleIT.HTTP, console.url(), null)) {
        await().atMost(BOUND).until(() -> !stream.ofType("ready").isEmpty());
      }

      proxy.restore();
      await().atMost(BOUND).until(() -> get(console, leaders).status() == 200);
      assertThat(ok(console, "/api/v1/health").path("connected").asBoolean()).isTrue();
      assertThat(
              ConsoleWritesIT.as(console, ConsoleWritesIT.ALICE, "PUT", key, "{\"value\": 2}")
                  .status())
          .isEqualTo(200);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  live.ofType("connection").stream()
                      .anyMatch(e -> e.data().path("connected").asBoolean()));
      // the cluster watch is set again: a change made after the outage reaches the stream
      try (Pipekeeper other = ConsoleIT.connect(cluster, "after-outage")) {
        other.leadership("after-outage").start().awaitLease(BOUND).orElseThrow();
        await()
            .atMost(BOUND)
            .until(
                () ->
                    live.ofType("leaders").stream()
                        .anyMatch(e -> e.data().toString().contains("after-outage")));
      }
      live.close();
    }
  }
}
