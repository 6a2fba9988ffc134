package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class StatusCommandIT {

  @Test
  void reportsWhatTheServersSayOfThemselves(TestCluster cluster) {
    CliRun run =
        CliRun.run(
            "status",
            "--zk",
            cluster.zkConnect(),
            "--bootstrap-servers",
            cluster.bootstrapServers());
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode).isZero();
    assertThat(run.out())
        .contains(cluster.zkConnect(), "serving", "3.9.5", "standalone")
        .contains("cluster " + cluster.kafka().clusterId())
        .contains("1@" + cluster.bootstrapServers());
  }

  @Test
  void printsJson(TestCluster cluster) throws Exception {
    CliRun run =
        CliRun.run(
            "status",
            "--json",
            "--zk",
            cluster.zkConnect(),
            "--bootstrap-servers",
            cluster.bootstrapServers());
    assertThat(run.exitCode).isZero();
    JsonNode report = new ObjectMapper().readTree(run.out());
    JsonNode server = report.path("zookeeper").path("servers").get(0);
    assertThat(server.path("serving").asBoolean()).isTrue();
    assertThat(server.path("version").asText()).isEqualTo("3.9.5");
    assertThat(server.path("mode").asText()).isEqualTo("standalone");
    assertThat(report.path("kafka").path("clusterId").asText())
        .isEqualTo(cluster.kafka().clusterId());
    assertThat(report.path("kafka").path("brokers").get(0).path("port").asInt())
        .isEqualTo(cluster.kafka().brokerPort());
  }

  @Test
  void exitsOneWhenKafkaIsDownButStillReportsZooKeeper(TestCluster cluster) {
    CliRun run =
        CliRun.run(
            "status",
            "--zk",
            cluster.zkConnect(),
            "--bootstrap-servers",
            "127.0.0.1:" + CliTest.freePort(),
            "--connect-timeout",
            "1s");
    assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(run.out()).contains("standalone");
    assertThat(run.err().lines())
        .hasSize(1)
        .allMatch(line -> line.startsWith("pipekeeper: Kafka not reachable at"));
  }
}
