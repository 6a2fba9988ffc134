package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.app.Main;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.examples.IngesterExample;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code pipekeeper run}: an example instance in its own process, stopped by SIGTERM. */
@ExtendWith(EmbeddedClusterExtension.class)
class RunCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));

  @Test
  void sigtermStopsTheInstanceGracefullyAndItLeavesAtOnce(TestCluster cluster) throws Exception {
    try (Pipekeeper admin =
            Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build();
        ChildJvm instance =
            ChildJvm.start(
                Main.class,
                List.of(
                    "--zk",
                    cluster.zkConnect(),
                    "--cluster",
                    cluster.cluster(),
                    "--bootstrap-servers",
                    cluster.bootstrapServers(),
                    "run",
                    IngesterExample.NAME,
                    "--member",
                    "ingest-1",
                    // long enough that only a graceful leave can explain a quick one
                    "--session-timeout",
                    "60s",
                    "--progress-every",
                    "1s",
                    "--metrics-port",
                    "0"))) {
      instance.awaitLine("ingester: running as ingest-1 (SHARDED)", BOUND);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  instance.lines().stream()
                      .anyMatch(
                          l ->
                              l.startsWith("ingester: ingest-1 RUNNING")
                                  && !l.contains(" 0 records")));
      assertThat(admin.inspector().members(IngesterExample.NAME)).hasSize(1);
      scrapeParsesAndHasThePipelineMeters(instance.awaitLine("ingester: metrics at", BOUND));
      assertThat(admin.assignments(IngesterExample.NAME).status().owners())
          .hasSize(IngesterExample.DEFAULT_TENANTS);

      int exit = instance.terminate(BOUND);

      assertThat(exit).as("exited by itself on SIGTERM (128 + 15), not killed").isEqualTo(143);
      assertThat(instance.lines())
          .anyMatch(l -> l.equals("ingester: stopping ingest-1..."))
          .anyMatch(
              l ->
                  l.matches("ingester: ingest-1 stopped after \\d+ records \\(0 dead-lettered\\)"));
      assertThat(admin.inspector().members(IngesterExample.NAME))
          .as("left the group at once, not after its 60 s session")
          .isEmpty();
      assertThat(admin.assignments(IngesterExample.NAME).status().owners())
          .as("gave its units up")
          .isEmpty();
    }
  }

  /** The exposition format, one sample per line: name, optional labels, value. */
  private static final Pattern SAMPLE =
      Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");

  private static void scrapeParsesAndHasThePipelineMeters(String url) throws Exception {
    URI uri = URI.create(url);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    List<String> samples =
        response.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertThat(samples).isNotEmpty().allMatch(l -> SAMPLE.matcher(l).matches());
    assertThat(samples)
        .anyMatch(
            l ->
                l.startsWith("pipekeeper_pipeline_records_total{")
                    && l.contains("outcome=\"processed\""))
        .anyMatch(l -> l.startsWith("pipekeeper_pipeline_assigned{") && l.endsWith(" 6.0"))
        .anyMatch(l -> l.startsWith("pipekeeper_pipeline_running{") && l.endsWith(" 1.0"))
        .anyMatch(l -> l.startsWith("pipekeeper_zookeeper_connected{") && l.endsWith(" 1.0"))
        .anyMatch(l -> l.startsWith("pipekeeper_config_version{"))
        .anyMatch(l -> l.startsWith("pipekeeper_pipeline_lag{"))
        .anyMatch(l -> l.startsWith("jvm_memory_used_bytes{"));
  }

  @Test
  void listsTheExamples() throws Exception {
    CliRun table = CliRun.run("run", "--list");
    assertThat(table.exitCode).isZero();
    assertThat(table.out())
        .contains("enrichment", "PARALLEL", "scheduler", "SINGLETON", "ingester");
    CliRun json = CliRun.run("run", "--list", "--json");
    JsonNode examples = new ObjectMapper().readTree(json.out());
    assertThat(examples).hasSize(3);
    assertThat(examples.get(2).get("mode").asText()).isEqualTo("SHARDED");
  }

  @Test
  void badInputGetsOneLineAndExit2() {
    assertUsage(
        CliRun.run("run"), "pipekeeper: say which example to run: enrichment, scheduler, ingester");
    assertUsage(
        CliRun.run("run", "nope"),
        "pipekeeper: no example 'nope'; the examples are enrichment, scheduler, ingester");
    assertUsage(
        CliRun.run("run", "enrichment", "--clock"),
        "pipekeeper: --clock is for the scheduler example only");
    assertUsage(
        CliRun.run("run", "enrichment", "--metrics-port", "70000"),
        "pipekeeper: --metrics-port must be between 0 and 65535, not 70000");
    CliRun badMember = CliRun.run("run", "enrichment", "--member", "a/b");
    assertThat(badMember.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(badMember.err()).contains("'a/b' is not valid");
  }

  private static void assertUsage(CliRun run, String line) {
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().strip()).isEqualTo(line);
  }
}
