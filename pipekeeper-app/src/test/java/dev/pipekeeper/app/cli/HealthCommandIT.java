package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class HealthCommandIT {

  @Test
  void showsEachMembersHealthAsATableOrJson(TestCluster cluster) throws Exception {
    assertThat(CliRun.against(cluster, "health").out()).contains("No health records.");
    try (Pipekeeper member =
        Pipekeeper.builder()
            .zookeeper(cluster.zkConnect())
            .cluster(cluster.cluster())
            .identity("enrich-1")
            .build()) {
      HealthPublication published =
          member
              .health()
              .publish(
                  "enrichment",
                  Duration.ofSeconds(5),
                  () ->
                      new HealthReport(
                          "enrichment",
                          "enrich-1",
                          "RUNNING",
                          1200,
                          250.0,
                          240.5,
                          3,
                          0.5,
                          Instant.now(),
                          Map.of("orders-0", 7L, "orders-1", 5L),
                          Map.of("pipeline/enrichment", 4),
                          List.of("enrichment.tiers"),
                          Instant.now()));
      CliRun table = CliRun.against(cluster, "health");
      assertThat(table.exitCode).isZero();
      assertThat(table.out())
          .contains("GROUP", "MEMBER", "LAG")
          .containsPattern(
              "enrichment +enrich-1 +RUNNING +250\\.0 +240\\.5 +3 \\(0\\.5/s\\) +12 +\\d+s ago"
                  + " +pipeline/enrichment@4 \\(last good: enrichment.tiers\\)");

      CliRun json = CliRun.against(cluster, "health", "enrichment", "--json");
      JsonNode report = new ObjectMapper().readTree(json.out()).get("enrichment").get(0);
      assertThat(report.get("member").asText()).isEqualTo("enrich-1");
      assertThat(report.get("lag").get("orders-0").asLong()).isEqualTo(7);
      assertThat(report.get("appliedConfig").get("pipeline/enrichment").asInt()).isEqualTo(4);
      published.close();
    }
    assertThat(CliRun.against(cluster, "health", "enrichment").out())
        .contains("No health records in group enrichment.");
  }

  @Test
  void theConfigColumnListsScopesGlobalThenPipelineThenMember(TestCluster cluster)
      throws Exception {
    List<Pipekeeper> members = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        String id = "copier-" + i;
        Pipekeeper member =
            Pipekeeper.builder()
                .zookeeper(cluster.zkConnect())
                .cluster(cluster.cluster())
                .identity(id)
                .build();
        members.add(member);
        Map<String, Integer> applied =
            Map.of("member/" + id, 2, "pipeline/copier", 4, "global", 7, "member/zz-" + id, 1);
        member
            .health()
            .publish(
                "copier",
                Duration.ofSeconds(5),
                () ->
                    new HealthReport(
                        "copier",
                        id,
                        "RUNNING",
                        0,
                        0,
                        0,
                        0,
                        0,
                        null,
                        Map.of(),
                        applied,
                        List.of(),
                        Instant.now()));
      }
      CliRun table = CliRun.against(cluster, "health", "copier");
      assertThat(table.exitCode).isZero();
      for (int i = 1; i <= 3; i++) {
        assertThat(table.out())
            .contains(
                " global@7,pipeline/copier@4,member/copier-"
                    + i
                    + "@2,member/zz-copier-"
                    + i
                    + "@1 ");
      }
    } finally {
      members.forEach(Pipekeeper::close);
    }
  }

  @Test
  void aMalformedGroupIsRefused() {
    CliRun run = CliRun.run("health", "a/b");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("'a/b' is not valid");
  }
}
