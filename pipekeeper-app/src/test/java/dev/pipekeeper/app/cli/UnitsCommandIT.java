package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class UnitsCommandIT {

  @Test
  void addPinUnpinListAndRemoveUnits(TestCluster cluster) throws Exception {
    assertThat(CliRun.against(cluster, "units", "list", "ingest").out())
        .contains("No work units in group ingest.");
    assertThat(CliRun.against(cluster, "units", "add", "ingest", "tenant-1").out())
        .contains("Added tenant-1 to group ingest (weight 1).");
    assertThat(
            CliRun.against(cluster, "units", "add", "ingest", "tenant-2", "--weight", "3").exitCode)
        .isZero();
    assertThat(
            CliRun.against(cluster, "units", "pin", "ingest", "tenant-1", "--tag", "zone=a").out())
        .contains("Pinned tenant-1 of group ingest to tag zone=a.");
    CliRun list = CliRun.against(cluster, "units", "list", "ingest");
    assertThat(list.out())
        .containsPattern("tenant-1\\s+1\\s+tag zone=a")
        .containsPattern("tenant-2\\s+3\\s+-");
    JsonNode json =
        new ObjectMapper()
            .readTree(CliRun.against(cluster, "units", "list", "ingest", "--json").out());
    assertThat(json.get(1).path("weight").asInt()).isEqualTo(3);
    assertThat(CliRun.against(cluster, "units", "unpin", "ingest", "tenant-1").exitCode).isZero();
    assertThat(CliRun.against(cluster, "units", "remove", "ingest", "tenant-2").exitCode).isZero();
    assertThat(CliRun.against(cluster, "units", "list", "ingest").out())
        .containsPattern("tenant-1\\s+1\\s+-")
        .doesNotContain("tenant-2");
  }

  @Test
  void badInputExits2WithAClearLine(TestCluster cluster) {
    CliRun missing = CliRun.against(cluster, "units", "remove", "ingest", "nope");
    assertThat(missing.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err().strip()).isEqualTo("pipekeeper: group ingest has no work unit nope");
    CliRun weight = CliRun.against(cluster, "units", "add", "ingest", "u", "--weight", "0");
    assertThat(weight.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(weight.err()).contains("weight must be at least 1");
    CliRun both =
        CliRun.against(cluster, "units", "pin", "ingest", "u", "--member", "m", "--tag", "a=b");
    assertThat(both.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("give exactly one of --member and --tag");
    CliRun badTag = CliRun.against(cluster, "units", "pin", "ingest", "u", "--tag", "zone");
    assertThat(badTag.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(CliRun.run("units", "list", "--help").exitCode).isZero();
  }
}
