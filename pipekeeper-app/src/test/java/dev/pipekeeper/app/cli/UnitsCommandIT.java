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

  private static CliRun cli(TestCluster cluster, String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--zk";
    all[args.length + 1] = cluster.zkConnect();
    all[args.length + 2] = "--cluster";
    all[args.length + 3] = cluster.cluster();
    return CliRun.run(all);
  }

  @Test
  void addPinUnpinListAndRemoveUnits(TestCluster cluster) throws Exception {
    assertThat(cli(cluster, "units", "list", "ingest").out())
        .contains("No work units in group ingest.");
    assertThat(cli(cluster, "units", "add", "ingest", "tenant-1").out())
        .contains("Added tenant-1 to group ingest (weight 1).");
    assertThat(cli(cluster, "units", "add", "ingest", "tenant-2", "--weight", "3").exitCode)
        .isZero();
    assertThat(cli(cluster, "units", "pin", "ingest", "tenant-1", "--tag", "zone=a").out())
        .contains("Pinned tenant-1 of group ingest to tag zone=a.");
    CliRun list = cli(cluster, "units", "list", "ingest");
    assertThat(list.out())
        .containsPattern("tenant-1\\s+1\\s+tag zone=a")
        .containsPattern("tenant-2\\s+3\\s+-");
    JsonNode json =
        new ObjectMapper().readTree(cli(cluster, "units", "list", "ingest", "--json").out());
    assertThat(json.get(1).path("weight").asInt()).isEqualTo(3);
    assertThat(cli(cluster, "units", "unpin", "ingest", "tenant-1").exitCode).isZero();
    assertThat(cli(cluster, "units", "remove", "ingest", "tenant-2").exitCode).isZero();
    assertThat(cli(cluster, "units", "list", "ingest").out())
        .containsPattern("tenant-1\\s+1\\s+-")
        .doesNotContain("tenant-2");
  }

  @Test
  void badInputExits2WithAClearLine(TestCluster cluster) {
    CliRun missing = cli(cluster, "units", "remove", "ingest", "nope");
    assertThat(missing.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err().strip()).isEqualTo("pipekeeper: group ingest has no work unit nope");
    CliRun weight = cli(cluster, "units", "add", "ingest", "u", "--weight", "0");
    assertThat(weight.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(weight.err()).contains("weight must be at least 1");
    CliRun both = cli(cluster, "units", "pin", "ingest", "u", "--member", "m", "--tag", "a=b");
    assertThat(both.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("give exactly one of --member and --tag");
    CliRun badTag = cli(cluster, "units", "pin", "ingest", "u", "--tag", "zone");
    assertThat(badTag.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(CliRun.run("units", "list", "--help").exitCode).isZero();
  }
}
