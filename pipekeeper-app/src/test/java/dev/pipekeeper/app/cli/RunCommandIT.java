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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code pipekeeper run}: an example instance in its own process, stopped by SIGTERM. */
@ExtendWith(EmbeddedClusterExtension.class)
class RunCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final Pattern CONSOLE_URL =
      Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/) \\(read-only[^)]*\\)");

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
                    "0",
                    "--console-port",
                    "0",
                    "--console-audit-topic",
                    "pipekeeper-audit-" + cluster.cluster()))) {
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
      theConsoleShowsTheMember(instance.awaitLine("ingester: console at", BOUND), cluster);
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

  /**
   * The member's own console answers with its group, read-only (it was given no tokens), and says
   * where its audit feed comes from.
   */
  private static void theConsoleShowsTheMember(String line, TestCluster cluster) throws Exception {
    Matcher url = CONSOLE_URL.matcher(line);
    assertThat(url.matches()).as(line).isTrue();
    HttpClient http = HttpClient.newHttpClient();
    String base = url.group(1) + "api/v1/";
    HttpResponse<String> members =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        base
                            + "clusters/"
                            + cluster.cluster()
                            + "/groups/"
                            + IngesterExample.NAME
                            + "/members"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(members.statusCode()).as(members.body()).isEqualTo(200);
    JsonNode listed = new ObjectMapper().readTree(members.body()).path("members");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("id").asText()).isEqualTo("ingest-1");
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "health")).build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode self = new ObjectMapper().readTree(health.body());
    assertThat(self.path("identity").asText()).isEqualTo("ingest-1");
    assertThat(self.path("writable").asBoolean()).isFalse();
    assertThat(self.path("audit").asText())
        .isEqualTo("kafka topic pipekeeper-audit-" + cluster.cluster());
    assertThat(line)
        .endsWith("(read-only; audit from kafka topic pipekeeper-audit-" + cluster.cluster() + ")");
  }

  private static void scrapeParsesAndHasThePipelineMeters(String url) throws Exception {
    List<PrometheusText.Sample> samples = PrometheusText.scrape(URI.create(url));
    String pipeline = IngesterExample.NAME;
    assertThat(samples)
        .anyMatch(
            s ->
                s.is(
                    "pipekeeper_pipeline_records_total",
                    Map.of("pipeline", pipeline, "outcome", "processed")))
        .anyMatch(s -> s.is("pipekeeper_pipeline_assigned", Map.of()) && s.value() == 6)
        .anyMatch(s -> s.is("pipekeeper_pipeline_running", Map.of()) && s.value() == 1)
        .anyMatch(s -> s.is("pipekeeper_pipeline_lag", Map.of("pipeline", pipeline)))
        // the connection's coordination meters, in the same (global) registry
        .anyMatch(
            s ->
                s.is("pipekeeper_zookeeper_connected", Map.of("identity", "ingest-1"))
                    && s.value() == 1)
        .anyMatch(
            s ->
                s.is(
                        "pipekeeper_zookeeper_connection_events_total",
                        Map.of("identity", "ingest-1", "state", "CONNECTED"))
                    && s.value() == 1)
        .anyMatch(
            s ->
                s.is(
                    "pipekeeper_config_applied_version",
                    Map.of("identity", "ingest-1", "scope", "pipeline/" + pipeline)))
        .anyMatch(s -> s.is("jvm_memory_used_bytes", Map.of()));
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
    assertUsage(
        CliRun.run("run", "enrichment", "--console-port", "70000"),
        "pipekeeper: --console-port must be between 0 and 65535, not 70000");
    assertUsage(
        CliRun.run("run", "enrichment", "--operator-tokens", "operators"),
        "pipekeeper: --operator-tokens needs --console-port");
    assertUsage(
        CliRun.run("run", "enrichment", "--console-audit-topic", "audit"),
        "pipekeeper: --console-audit-topic needs --console-port");
    CliRun badMember = CliRun.run("run", "enrichment", "--member", "a/b");
    assertThat(badMember.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(badMember.err()).contains("'a/b' is not valid");
  }

  private static void assertUsage(CliRun run, String line) {
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().strip()).isEqualTo(line);
  }
}
