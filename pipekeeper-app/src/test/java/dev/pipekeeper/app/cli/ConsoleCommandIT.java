package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipekeeper console}: serves the API of the cluster it is given until stopped. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  private static final Pattern URL = Pattern.compile("at (http://\\S+/) ");

  @Test
  void servesTheClusterAndPrintsItsUrlUntilStopped(TestCluster cluster) throws Exception {
    CliRun run = new CliRun(java.util.Map.of());
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () ->
                run.execute(
                    "console",
                    "--port",
                    "0",
                    "--zk",
                    cluster.zkConnect(),
                    "--cluster",
                    cluster.cluster()));
    await().atMost(BOUND).until(() -> URL.matcher(run.out()).find());
    Matcher url = URL.matcher(run.out());
    assertThat(url.find()).isTrue();
    assertThat(run.out())
        .contains("console: cluster " + cluster.cluster() + " at http://127.0.0.1:");

    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url.group(1) + "api/v1/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode json = new ObjectMapper().readTree(health.body());
    assertThat(json.path("cluster").asText()).isEqualTo(cluster.cluster());
    assertThat(json.path("connected").asBoolean()).isTrue();

    run.shutdown.triggerAndWait();
    running.get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    assertThat(run.exitCode).isZero();
    assertThat(run.out()).contains("console: stopping");
  }

  @Test
  void withOperatorTokensOperatorsChangeConfigUnderTheirName(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    Path tokens = dir.resolve("operators");
    Files.writeString(tokens, "alice=alice-token-0123456789\n");
    CliRun run = new CliRun(java.util.Map.of());
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () ->
                run.execute(
                    "console",
                    "--port",
                    "0",
                    "--operator-tokens",
                    tokens.toString(),
                    "--zk",
                    cluster.zkConnect(),
                    "--cluster",
                    cluster.cluster()));
    await().atMost(BOUND).until(() -> URL.matcher(run.out()).find());
    Matcher url = URL.matcher(run.out());
    assertThat(url.find()).isTrue();
    assertThat(run.out()).contains("operators may change config").doesNotContain("alice-token");

    HttpResponse<String> set =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            url.group(1)
                                + "api/v1/clusters/"
                                + cluster.cluster()
                                + "/config/keys/batch.size"))
                    .header("Authorization", "Bearer alice-token-0123456789")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": 7}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(set.body()).path("who").asText()).isEqualTo("alice");

    run.shutdown.triggerAndWait();
    running.get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    assertThat(run.exitCode).isZero();
  }

  @Test
  void aBadTokenFileIsRefusedWithoutQuotingIt(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    Path tokens = dir.resolve("operators");
    Files.writeString(tokens, "alice=too-short\n");
    CliRun bad =
        CliRun.against(cluster, "console", "--port", "0", "--operator-tokens", tokens.toString());
    assertThat(bad.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("line 1", "shorter than 16").doesNotContain("too-short");
  }

  @Test
  void aBadPortIsRefused(TestCluster cluster) {
    CliRun bad = CliRun.against(cluster, "console", "--port", "70000");
    assertThat(bad.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("port must be 0 to 65535, not 70000");
  }
}
