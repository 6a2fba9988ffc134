package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the read commands ({@code config get}, {@code list}, {@code history}) show of secret keys
 * and of nodes written behind Pipekeeper's back.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigReadCommandsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "hunter2-s3cr3t";
  static final String SECRET_SCHEMA = "{\"type\": \"string\", \"writeOnly\": true}";

  static void assertOk(CliRun run) {
    assertThat(run.exitCode).as("stderr: " + run.err()).isZero();
    assertThat(run.err()).isEmpty();
  }

  @Test
  void aSecretStaysMaskedAfterItsSchemaIsDeletedUntilItIsRevealed(TestCluster cluster)
      throws Exception {
    List<CliRun> runs = new ArrayList<>();
    runs.add(
        CliRun.againstWithInput(
            cluster, SECRET_SCHEMA, "config", "schema", "set", "db.password", "-f", "-"));
    runs.add(CliRun.against(cluster, "config", "set", "db.password", "\"" + SECRET + "\""));
    runs.add(CliRun.against(cluster, "config", "set", "db.password", "\"" + SECRET + "-2\""));
    CliRun deleted = CliRun.against(cluster, "config", "schema", "delete", "db.password");
    runs.add(deleted);
    runs.forEach(ConfigReadCommandsIT::assertOk);

    CliRun get = CliRun.against(cluster, "config", "get", "db.password");
    assertThat(get.out()).startsWith("global db.password = \"******\"  (version 1");
    CliRun getJson = CliRun.against(cluster, "config", "get", "db.password", "--json");
    assertThat(JSON.readTree(getJson.out()).path("secret").asBoolean()).isTrue();
    CliRun list = CliRun.against(cluster, "config", "list");
    assertThat(list.out()).containsPattern("db\\.password\\s+\"\\*\\*\\*\\*\\*\\*\"\\s+1");
    CliRun listJson = CliRun.against(cluster, "config", "list", "--json");
    CliRun history = CliRun.against(cluster, "config", "history", "db.password");
    assertThat(history.out().lines().skip(1)).hasSize(2).allMatch(l -> l.contains("\"******\""));
    CliRun historyJson = CliRun.against(cluster, "config", "history", "db.password", "--json");
    // a member's value of a key secret in global: masked by the same rule
    runs.add(
        CliRun.against(
            cluster, "config", "set", "db.password", "\"" + SECRET + "\"", "--scope", "member/m"));
    CliRun member = CliRun.against(cluster, "config", "get", "db.password", "--scope", "member/m");
    assertThat(member.out()).startsWith("member/m db.password = \"******\"");
    for (CliRun run : List.of(get, getJson, list, listJson, history, historyJson, member)) {
      assertOk(run);
      runs.add(run);
    }
    for (CliRun run : runs) {
      assertThat(run.out()).doesNotContain(SECRET);
      assertThat(run.err()).doesNotContain(SECRET);
    }
    assertThat(deleted.out().strip())
        .isEqualTo(
            "Schema of global db.password deleted; the key stays secret (end that with"
                + " --reveal).");

    // the explicit, recorded step
    CliRun reveal =
        CliRun.against(
            cluster,
            "config",
            "schema",
            "delete",
            "db.password",
            "--reveal",
            "--who",
            "dora",
            "--comment",
            "not a secret any more");
    assertOk(reveal);
    assertThat(reveal.out().strip())
        .isEqualTo(
            "db.password is no longer secret: its values and history are shown in clear"
                + " (recorded in the history of global db.password, scope version 3).");
    CliRun after = CliRun.against(cluster, "config", "history", "db.password");
    assertOk(after);
    List<String> lines = after.out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3))
        .matches(
            "2\\s+\\S+Z\\s+dora\\s+\"hunter2-s3cr3t-2\"\\s+\"hunter2-s3cr3t-2\"\\s+secret"
                + " revealed: not a secret any more");
    assertThat(CliRun.against(cluster, "config", "get", "db.password").out())
        .startsWith("global db.password = \"" + SECRET + "-2\"");
    CliRun again = CliRun.against(cluster, "config", "schema", "delete", "db.password");
    assertThat(again.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err().strip())
        .isEqualTo("pipekeeper: config global has no schema for db.password");
  }

  @Test
  void foreignNodesAreReportedAndTheGoodKeysListed(TestCluster cluster) throws Exception {
    assertOk(CliRun.against(cluster, "config", "set", "ok", "1"));
    try (CuratorFramework raw =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      String scope = ZkLayout.root(cluster.cluster()) + ZkLayout.config("global");
      raw.create().forPath(scope + "/bad key", "2".getBytes(StandardCharsets.UTF_8));
      raw.create().forPath(scope + "/junk", "{not json".getBytes(StandardCharsets.UTF_8));
    }
    CliRun list = CliRun.against(cluster, "config", "list");
    assertOk(list);
    List<String> lines = list.out().lines().toList();
    assertThat(lines.get(1)).matches("ok\\s+1\\s+0\\s+\\S+Z");
    assertThat(lines.subList(2, lines.size()))
        .containsExactly(
            "Scope global is at version 1 (1 key).",
            "Skipped global 'bad key': not a config key name (written behind Pipekeeper's back).",
            "Skipped global 'junk': holds a value that is not valid JSON (written behind"
                + " Pipekeeper's back).");
    CliRun listJson = CliRun.against(cluster, "config", "list", "--json");
    assertOk(listJson);
    JsonNode document = JSON.readTree(listJson.out());
    assertThat(document.path("entries")).hasSize(1);
    assertThat(document.path("skipped").get(0).path("name").asText()).isEqualTo("bad key");
    assertThat(document.path("skipped").get(1).path("reason").asText())
        .isEqualTo("holds a value that is not valid JSON");

    CliRun get = CliRun.against(cluster, "config", "get", "junk");
    assertThat(get.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(get.out()).isEmpty();
    assertThat(get.err().strip())
        .isEqualTo(
            "pipekeeper: config global junk holds a value that is not valid JSON (written behind"
                + " Pipekeeper's back); it is kept out: set the key again or delete it");
  }
}
