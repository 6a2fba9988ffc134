package dev.pipekeeper.app.cli;

import static dev.pipekeeper.app.cli.ConfigCommandsIT.assertOk;
import static dev.pipekeeper.app.cli.ConfigCommandsIT.assertRefused;
import static dev.pipekeeper.app.cli.ConfigCommandsIT.connect;
import static dev.pipekeeper.app.cli.ConfigCommandsIT.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What {@code config set}, {@code apply} and {@code schema set} let in, run in-process. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigWriteCommandsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();

  @Test
  void aNumberThatIsNotFiniteIsRefused(TestCluster cluster, @TempDir Path dir) throws Exception {
    Path number = write(dir, "number.json", "{\"type\": \"number\"}");
    assertOk(CliRun.against(cluster, "config", "schema", "set", "num", "-f", number.toString()));
    assertRefused(
        CliRun.against(cluster, "config", "set", "num", "1e999"),
        "config global num: the value is not a finite number (Infinity); JSON numbers must be"
            + " finite");
    assertRefused(CliRun.against(cluster, "config", "set", "num", "-1e999"), "not a finite number");
    Path file = write(dir, "huge.json", "{\"num\": 1, \"other\": [1, 1e999]}");
    assertRefused(
        CliRun.against(cluster, "config", "apply", "-f", file.toString()),
        "config global other: the value holds a number that is not a finite number (Infinity at"
            + " /1)");
    try (Pipekeeper pk = connect(cluster)) {
      assertThat(pk.config().list(GLOBAL)).isEmpty();
      assertThat(pk.config().version(GLOBAL)).isZero();
    }
    assertOk(CliRun.against(cluster, "config", "set", "num", "1e300"));
  }

  @Test
  void anInvalidSchemaIsRefusedAndTheValuesStayWritable(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    assertOk(CliRun.against(cluster, "config", "set", "k", "5"));
    Path nonsense = write(dir, "nonsense.json", "{\"type\": \"nonsense\"}");
    assertRefused(
        CliRun.against(cluster, "config", "schema", "set", "k", "-f", nonsense.toString()),
        "schema for global k is not valid: it does not satisfy the JSON Schema draft 2020-12"
            + " meta-schema");
    Path required = write(dir, "required.yaml", "required: 5\n");
    assertRefused(
        CliRun.against(cluster, "config", "schema", "set", "k", required.toString()),
        "schema for global k is not valid");
    assertRefused(
        CliRun.against(cluster, "config", "schema", "get", "k"),
        "config global has no schema for k");
    assertOk(CliRun.against(cluster, "config", "set", "k", "6"));
  }

  @Test
  void schemaSetTakesTheFileAsAnArgumentAsTheReadmeWritesIt(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    Path schema = write(dir, "rate.yaml", "type: integer\nminimum: 1\n");
    CliRun set = CliRun.against(cluster, "config", "schema", "set", "rate", schema.toString());
    assertOk(set);
    assertThat(set.out().strip()).isEqualTo("Schema of global rate set.");
    JsonNode stored =
        JSON.readTree(CliRun.against(cluster, "config", "schema", "get", "rate").out());
    assertThat(stored).isEqualTo(JSON.readTree("{\"type\":\"integer\",\"minimum\":1}"));
    assertOk(
        CliRun.againstWithInput(
            cluster, "{\"type\": \"integer\"}", "config", "schema", "set", "rate", "-"));
    assertRefused(
        CliRun.against(
            cluster, "config", "schema", "set", "rate", schema.toString(), "-f", schema.toString()),
        "takes the schema file once: as SCHEMA_FILE or with -f, not both");
    assertRefused(
        CliRun.against(cluster, "config", "schema", "set", "rate"),
        "config schema set needs the schema file");
  }

  @Test
  void setIfAbsentWritesOnlyAnUnsetKey(TestCluster cluster) throws Exception {
    CliRun first = CliRun.against(cluster, "config", "set", "mode", "\"fast\"", "--if-absent");
    assertOk(first);
    assertThat(first.out().strip()).isEqualTo("Set global mode: scope version 1.");
    CliRun second = CliRun.against(cluster, "config", "set", "mode", "\"slow\"", "--if-absent");
    assertOk(second);
    assertThat(second.out().strip())
        .isEqualTo(
            "global mode already has a value; it was kept and nothing was written (scope version"
                + " 1).");
    JsonNode json =
        JSON.readTree(
            CliRun.against(cluster, "config", "set", "mode", "\"slow\"", "--if-absent", "--json")
                .out());
    assertThat(json.path("changed")).isEmpty();
    assertThat(json.path("scopeVersion").asInt()).isEqualTo(1);
    assertRefused(
        CliRun.against(
            cluster, "config", "set", "mode", "1", "--if-absent", "--expect-version", "0"),
        "--if-absent and --expect-version do not go together");
    try (Pipekeeper pk = connect(cluster)) {
      assertThat(pk.config().get(GLOBAL, "mode").orElseThrow().value().asText()).isEqualTo("fast");
      assertThat(pk.config().history(GLOBAL, "mode")).hasSize(1);
    }
  }

  @Test
  void aKeyStartingWithADashIsToldTheRule(TestCluster cluster) {
    // after "--" (so that -x is not taken for an option), the connection options go first
    CliRun dash = new CliRun(java.util.Map.of());
    dash.execute(
        "config",
        "set",
        "--zk",
        cluster.zkConnect(),
        "--cluster",
        cluster.cluster(),
        "--",
        "-x",
        "1");
    assertRefused(
        dash,
        "config key '-x' is malformed: use dot-separated words of a-z 0-9 _ -, each starting with"
            + " a letter or a digit");
  }

  @Test
  void anApplyTooLargeForOneZooKeeperRequestIsRefusedClearly(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    String value = "x".repeat(250 * 1024);
    Path three =
        write(
            dir,
            "three.json",
            "{\"blob.a\": \""
                + value
                + "\", \"blob.b\": \""
                + value
                + "\", \"blob.c\": \""
                + value
                + "\"}");
    CliRun refused = CliRun.against(cluster, "config", "apply", "-f", three.toString());
    // one line, exit 2: no "connection SUSPENDED" warnings, no ConnectionLoss
    assertRefused(
        refused, "config global: the change is", "one ZooKeeper transaction", "jute.maxbuffer");
    try (Pipekeeper pk = connect(cluster)) {
      assertThat(pk.config().list(GLOBAL)).isEmpty();
    }
    Path two =
        write(dir, "two.json", "{\"blob.a\": \"" + value + "\", \"blob.b\": \"" + value + "\"}");
    assertOk(CliRun.against(cluster, "config", "apply", "-f", two.toString()));
  }
}
