package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The {@code config} commands against a real ZooKeeper, run in-process. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigCommandsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();
  static final String SECRET = "hunter2-s3cr3t";

  static Pipekeeper connect(TestCluster cluster) {
    return Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build();
  }

  static JsonNode json(CliRun run) throws Exception {
    assertThat(run.exitCode).as(run.err()).isZero();
    return JSON.readTree(run.out());
  }

  static void assertOk(CliRun run) {
    assertThat(run.exitCode).as("stderr: " + run.err()).isZero();
    assertThat(run.err()).isEmpty();
  }

  /** Exit 2 with one line on standard error, naming the problem; nothing on standard output. */
  static void assertRefused(CliRun run, String... messageParts) {
    assertThat(run.exitCode).as(run.out() + run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).startsWith("pipekeeper: ").contains(messageParts);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void setGetListAndDeletePrintWhatTheyDid(TestCluster cluster) throws Exception {
    assertThat(CliRun.against(cluster, "config", "list").out())
        .isEqualTo("No configuration in scope global." + System.lineSeparator());

    CliRun set = CliRun.against(cluster, "config", "set", "alert.threshold", "0.9");
    assertOk(set);
    assertThat(set.out().strip()).isEqualTo("Set global alert.threshold: scope version 1.");
    assertOk(CliRun.against(cluster, "config", "set", "mode", "\"fast\"", "--comment", "launch"));
    assertOk(
        CliRun.against(cluster, "config", "set", "limits", "{\"rps\": 100, \"burst\": [1, 2]}"));
    assertOk(CliRun.against(cluster, "config", "set", "offset", "-5"));
    CliRun same = CliRun.against(cluster, "config", "set", "mode", "\"fast\"");
    assertOk(same);
    assertThat(same.out().strip())
        .isEqualTo("global mode already has this value; nothing was written (scope version 4).");

    CliRun get = CliRun.against(cluster, "config", "get", "limits");
    assertOk(get);
    assertThat(get.out().strip())
        .matches(
            "global limits = \\{\"rps\":100,\"burst\":\\[1,2]}  \\(version 0, modified"
                + " \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)");
    JsonNode entry = json(CliRun.against(cluster, "config", "get", "mode", "--json"));
    assertThat(entry.path("scope").asText()).isEqualTo("global");
    assertThat(entry.path("key").asText()).isEqualTo("mode");
    assertThat(entry.path("value").asText()).isEqualTo("fast");
    assertThat(entry.path("secret").asBoolean()).isFalse();
    assertThat(entry.path("version").asInt()).isZero();
    assertThat(entry.path("modifiedAt").asText()).endsWith("Z");

    assertOk(
        CliRun.against(
            cluster, "config", "set", "alert.threshold", "0.95", "--expect-version", "0"));
    CliRun list = CliRun.against(cluster, "config", "list");
    assertOk(list);
    List<String> lines = list.out().lines().toList();
    assertThat(lines.get(0)).matches("KEY\\s+VALUE\\s+VERSION\\s+MODIFIED");
    assertThat(lines.get(1)).matches("alert\\.threshold\\s+0\\.95\\s+1\\s+\\S+Z");
    assertThat(lines.get(2)).matches("limits\\s+\\{\"rps\":100,\"burst\":\\[1,2]}\\s+0\\s+\\S+Z");
    assertThat(lines.get(3)).matches("mode\\s+\"fast\"\\s+0\\s+\\S+Z");
    assertThat(lines.get(4)).matches("offset\\s+-5\\s+0\\s+\\S+Z");
    assertThat(lines.get(5)).isEqualTo("Scope global is at version 5 (4 keys).");
    JsonNode listed = json(CliRun.against(cluster, "config", "list", "--json"));
    assertThat(listed.path("scope").asText()).isEqualTo("global");
    assertThat(listed.path("version").asInt()).isEqualTo(5);
    assertThat(listed.path("entries").get(1).path("value").path("burst").get(1).asInt())
        .isEqualTo(2);

    CliRun delete = CliRun.against(cluster, "config", "delete", "offset", "--expect-version", "0");
    assertOk(delete);
    assertThat(delete.out().strip()).isEqualTo("Deleted global offset: scope version 6.");
    JsonNode commit =
        json(
            CliRun.against(
                cluster, "config", "set", "rate", "3", "--scope", "pipeline/enricher", "--json"));
    assertThat(commit.path("scope").asText()).isEqualTo("pipeline/enricher");
    assertThat(commit.path("scopeVersion").asInt()).isEqualTo(1);
    assertThat(commit.path("changed").get(0).asText()).isEqualTo("rate");
    assertThat(
            CliRun.against(cluster, "config", "get", "rate", "--scope", "pipeline/enricher").out())
        .startsWith("pipeline/enricher rate = 3  (version 0");
    assertThat(CliRun.against(cluster, "config", "list", "--scope", "member/m-1").out().strip())
        .isEqualTo("No configuration in scope member/m-1.");

    try (Pipekeeper pk = connect(cluster)) {
      assertThat(pk.config().version(GLOBAL)).isEqualTo(6);
      assertThat(pk.config().get(GLOBAL, "offset")).isEmpty();
      assertThat(pk.config().history(GLOBAL, "mode").get(0).comment()).isEqualTo("launch");
      assertThat(pk.config().history(GLOBAL, "mode").get(0).who())
          .isEqualTo(System.getProperty("user.name"));
    }
  }

  @Test
  void badInputExits2WithOneClearLineAndWritesNothing(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    try (Pipekeeper pk = connect(cluster)) {
      Configuration config = pk.config();
      config.set(GLOBAL, "batch.size", JSON.readTree("10"), ChangeOptions.by("test"));
      config.setSchema(GLOBAL, "batch.size", JSON.readTree("{\"type\":\"integer\",\"minimum\":1}"));

      assertRefused(
          CliRun.against(cluster, "config", "list", "--scope", "tenant/x"),
          "scope 'tenant/x' is not valid; use global, pipeline/NAME or member/ID");
      assertRefused(
          CliRun.against(cluster, "config", "set", "k", "1", "--scope", "pipeline/"),
          "scope 'pipeline/' is not valid");
      assertRefused(
          CliRun.against(cluster, "config", "set", "k", "1", "--scope", "pipeline/a b"),
          "pipeline name 'a b' is not valid");
      assertRefused(
          CliRun.against(cluster, "config", "set", "Bad Key", "1"),
          "config key 'Bad Key' is malformed");
      CliRun notJson = CliRun.against(cluster, "config", "set", "mode", "fast");
      assertRefused(
          notJson,
          "config global mode: the value is not valid JSON (at column",
          "a string needs JSON quotes, e.g. '\"text\"'");
      assertRefused(CliRun.against(cluster, "config", "set", "mode", "{\"a\":"), "not valid JSON");
      assertRefused(CliRun.against(cluster, "config", "set", "mode", "1 2"), "not valid JSON");
      assertRefused(
          CliRun.against(cluster, "config", "set", "mode", ""), "not valid JSON (it is empty)");
      assertRefused(
          CliRun.against(cluster, "config", "set", "mode", "null"),
          "config global mode: value is missing; use delete");
      assertRefused(
          CliRun.against(cluster, "config", "set", "batch.size", "0"),
          "config global batch.size: value does not match its schema",
          "minimum");
      assertRefused(
          CliRun.against(cluster, "config", "set", "batch.size", "5", "--expect-version", "-1"),
          "--expect-version must be 0 or more, not -1");
      assertRefused(
          CliRun.against(cluster, "config", "get", "missing"), "config global has no key missing");
      assertRefused(
          CliRun.against(cluster, "config", "delete", "missing"),
          "config global has no key missing");
      assertRefused(
          CliRun.against(cluster, "config", "history", "Bad.Key"),
          "config key 'Bad.Key' is malformed");
      assertRefused(
          CliRun.against(cluster, "config", "rollback", "batch.size", "--to", "99"),
          "config global batch.size has no history entry 99");
      assertRefused(
          CliRun.against(cluster, "config", "diff", "batch.size", "0", "99"),
          "config global batch.size has no history entry 99 (it has entries 0 to 0)");
      assertRefused(
          CliRun.against(cluster, "config", "schema", "get", "mode"),
          "config global has no schema for mode");
      assertRefused(
          CliRun.against(cluster, "config", "schema", "delete", "mode"),
          "config global has no schema for mode");

      // apply: the file must exist, be readable, hold one map of well-formed keys
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", dir.resolve("none.yaml").toString()),
          "cannot read " + dir.resolve("none.yaml") + ": no such file");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", dir.toString()),
          "cannot read " + dir + ": it is a folder");
      Path list = write(dir, "list.yaml", "- a\n- b\n");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", list.toString()),
          list + " holds a list, not a map of keys to values");
      Path scalar = write(dir, "scalar.json", "42");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", scalar.toString()),
          "holds a single value");
      Path badKey = write(dir, "bad-key.yaml", "ok.key: 1\nBad Key: 2\n");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", badKey.toString()),
          badKey + ": config key 'Bad Key' is malformed");
      Path broken = write(dir, "broken.yaml", "a: [1, 2\nb: x: y\n");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", broken.toString()),
          broken + " is not valid YAML (line");
      Path brokenJson = write(dir, "broken.json", "{\"a\": 1,}");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", brokenJson.toString()),
          brokenJson + " is not valid JSON (line 1, column");
      Path duplicate = write(dir, "dup.json", "{\"a\": 1, \"a\": 2}");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", duplicate.toString()),
          "is not valid JSON (line 1, column",
          "duplicate key 'a'");
      Path twoDocs = write(dir, "two.yaml", "a: 1\n---\nb: 2\n");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", twoDocs.toString()),
          "holds 2 YAML documents; give exactly one");
      Path alias = write(dir, "alias.yaml", "a: &x 1\nb: *x\n");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", alias.toString()),
          "uses a YAML alias (line 2");
      Path empty = write(dir, "empty.yaml", "\n");
      assertRefused(CliRun.against(cluster, "config", "apply", "-f", empty.toString()), "is empty");
      Path emptyMap = write(dir, "empty-map.json", "{}");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", emptyMap.toString()),
          "has no keys: nothing to apply");
      Path invalidValue = write(dir, "invalid.yaml", "ok.key: 1\nbatch.size: -3\n");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", invalidValue.toString()),
          "config global batch.size: value does not match its schema");
      Path text = write(dir, "notes.txt", "just: [some\n");
      assertRefused(
          CliRun.against(cluster, "config", "apply", "-f", text.toString()),
          text + " is neither JSON nor YAML: is not valid JSON (line 1, column",
          "is not valid YAML (line");

      // schema set: must be a valid schema the current value satisfies
      Path notSchema = write(dir, "not-schema.json", "[1]");
      assertRefused(
          CliRun.against(
              cluster, "config", "schema", "set", "batch.size", "-f", notSchema.toString()),
          "schema for global batch.size is not valid: a JSON Schema must be a JSON object");
      Path stricter = write(dir, "stricter.yaml", "type: integer\nminimum: 100\n");
      assertRefused(
          CliRun.against(
              cluster, "config", "schema", "set", "batch.size", "-f", stricter.toString()),
          "schema for global batch.size refused: the current value does not match it");

      // picocli's own checks
      CliRun missingValue = CliRun.against(cluster, "config", "set", "mode");
      assertThat(missingValue.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(missingValue.err()).contains("Missing required parameter: 'VALUE'");
      CliRun noSeq = CliRun.against(cluster, "config", "diff", "batch.size", "one", "2");
      assertThat(noSeq.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(noSeq.err()).contains("'one' is not an int");
      CliRun noTo = CliRun.against(cluster, "config", "rollback", "batch.size");
      assertThat(noTo.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(noTo.err()).contains("Missing required option: '--to=SEQ'");
      CliRun noSubcommand = CliRun.against(cluster, "config");
      assertThat(noSubcommand.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(noSubcommand.err()).contains("Missing subcommand");

      assertThat(config.version(GLOBAL)).as("nothing was written").isEqualTo(1);
      assertThat(config.list(GLOBAL)).extracting(ConfigEntry::key).containsExactly("batch.size");
      assertThat(config.get(GLOBAL, "batch.size").orElseThrow().value().asInt()).isEqualTo(10);
      assertThat(config.history(GLOBAL, "ok.key")).isEmpty();
      assertThat(config.schema(GLOBAL, "batch.size").orElseThrow().path("minimum").asInt())
          .isEqualTo(1);
      assertThat(config.scopes()).containsExactly(GLOBAL);
    }
  }

  @Test
  void aStaleExpectedVersionIsAConflictExit1AndNothingIsWritten(
      TestCluster cluster, @TempDir Path dir) throws Exception {
    assertOk(CliRun.against(cluster, "config", "set", "k", "1"));
    assertOk(CliRun.against(cluster, "config", "set", "k", "2"));

    CliRun set = CliRun.against(cluster, "config", "set", "k", "3", "--expect-version", "0");
    assertThat(set.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(set.err().strip())
        .isEqualTo(
            "pipekeeper: config global k is at version 1, not the expected 0; nothing was"
                + " written");
    CliRun create = CliRun.against(cluster, "config", "set", "fresh", "3", "--expect-version", "0");
    assertThat(create.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(create.err()).contains("config global fresh is at version none (not set)");
    CliRun delete = CliRun.against(cluster, "config", "delete", "k", "--expect-version", "7");
    assertThat(delete.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(delete.err()).contains("is at version 1, not the expected 7");
    Path file = write(dir, "change.yaml", "k: 4\nother: true\n");
    CliRun apply =
        CliRun.against(cluster, "config", "apply", "-f", file.toString(), "--expect-version", "1");
    assertThat(apply.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(apply.err().strip())
        .isEqualTo(
            "pipekeeper: config scope global is at version 2, not the expected 1; nothing was"
                + " written");
    try (Pipekeeper pk = connect(cluster)) {
      assertThat(pk.config().version(GLOBAL)).isEqualTo(2);
      assertThat(pk.config().get(GLOBAL, "k").orElseThrow().value().asInt()).isEqualTo(2);
      assertThat(pk.config().get(GLOBAL, "other")).isEmpty();
    }
    assertOk(
        CliRun.against(cluster, "config", "apply", "-f", file.toString(), "--expect-version", "2"));
    assertOk(CliRun.against(cluster, "config", "set", "k", "5", "--expect-version", "2"));
  }

  @Test
  void appliesYamlJsonAndStandardInputAsOneChangeEach(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    Path yaml =
        write(
            dir,
            "enricher.yaml",
            "# enricher settings\n"
                + "alert.threshold: 0.9\n"
                + "mode: fast\n"
                + "limits:\n"
                + "  rps: 100\n"
                + "  burst: [1, 2]\n"
                + "old.key: 1\n");
    CliRun first =
        CliRun.against(
            cluster,
            "config",
            "apply",
            "-f",
            yaml.toString(),
            "--scope",
            "pipeline/enricher",
            "--who",
            "alice",
            "--comment",
            "initial");
    assertOk(first);
    assertThat(first.out().strip())
        .isEqualTo(
            "Applied to pipeline/enricher: scope version 1. Set alert.threshold, limits, mode,"
                + " old.key.");

    Path json = write(dir, "change.json", "{\"alert.threshold\": 0.95, \"old.key\": null}");
    CliRun second =
        CliRun.against(
            cluster, "config", "apply", "-f", json.toString(), "--scope", "pipeline/enricher");
    assertOk(second);
    assertThat(second.out().strip())
        .isEqualTo(
            "Applied to pipeline/enricher: scope version 2. Set alert.threshold. Deleted"
                + " old.key.");

    CliRun fromStdin =
        CliRun.againstWithInput(
            cluster,
            "mode: slow\nalert.threshold: 0.95\n",
            "config",
            "apply",
            "-f",
            "-",
            "--scope",
            "pipeline/enricher",
            "--json");
    JsonNode commit = json(fromStdin);
    assertThat(commit.path("scopeVersion").asInt()).isEqualTo(3);
    assertThat(commit.path("changed").toString()).isEqualTo("[\"mode\"]");

    Path unnamed = write(dir, "settings.conf", "{\"mode\": \"slow\"}");
    CliRun unchanged =
        CliRun.against(
            cluster, "config", "apply", "-f", unnamed.toString(), "--scope", "pipeline/enricher");
    assertOk(unchanged);
    assertThat(unchanged.out().strip())
        .isEqualTo(
            "Nothing to change in pipeline/enricher: every key already has the value given"
                + " (scope version 3).");

    try (Pipekeeper pk = connect(cluster)) {
      Scope scope = Scope.pipeline("enricher");
      assertThat(pk.config().version(scope)).isEqualTo(3);
      assertThat(pk.config().list(scope))
          .extracting(ConfigEntry::key)
          .containsExactly("alert.threshold", "limits", "mode");
      assertThat(pk.config().get(scope, "limits").orElseThrow().value())
          .isEqualTo(JSON.readTree("{\"rps\":100,\"burst\":[1,2]}"));
      assertThat(pk.config().get(scope, "mode").orElseThrow().value().asText()).isEqualTo("slow");
      assertThat(pk.config().history(scope, "limits").get(0).who()).isEqualTo("alice");
      assertThat(pk.config().history(scope, "limits").get(0).comment()).isEqualTo("initial");
    }
  }

  @Test
  void historyDiffAndRollback(TestCluster cluster) throws Exception {
    assertThat(CliRun.against(cluster, "config", "history", "limits").out().strip())
        .isEqualTo("No history for global limits.");
    assertOk(
        CliRun.against(
            cluster, "config", "set", "limits", "{\"rps\":100,\"burst\":5}", "--who", "ann"));
    assertOk(
        CliRun.against(
            cluster,
            "config",
            "set",
            "limits",
            "{\"rps\":200,\"burst\":5,\"queue\":9}",
            "--who",
            "bob",
            "--comment",
            "peak season"));
    assertOk(CliRun.against(cluster, "config", "delete", "limits", "--who", "cid"));

    CliRun history = CliRun.against(cluster, "config", "history", "limits");
    assertOk(history);
    List<String> lines = history.out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).matches("SEQ\\s+WHEN\\s+WHO\\s+OLD\\s+NEW\\s+COMMENT");
    assertThat(lines.get(1))
        .matches("0\\s+\\S+Z\\s+ann\\s+\\(none\\)\\s+\\{\"rps\":100,\"burst\":5}\\s+-");
    assertThat(lines.get(2))
        .matches(
            "1\\s+\\S+Z\\s+bob\\s+\\{\"rps\":100,\"burst\":5}\\s+"
                + "\\{\"rps\":200,\"burst\":5,\"queue\":9}\\s+peak season");
    assertThat(lines.get(3)).matches("2\\s+\\S+Z\\s+cid\\s+\\{.*}\\s+\\(deleted\\)\\s+-");
    JsonNode json = json(CliRun.against(cluster, "config", "history", "limits", "--json"));
    assertThat(json.path("secret").asBoolean()).isFalse();
    assertThat(json.path("entries")).hasSize(3);
    assertThat(json.path("entries").get(1).path("newValue").path("queue").asInt()).isEqualTo(9);
    assertThat(json.path("entries").get(2).path("newValue").isNull()).isTrue();
    assertThat(json.path("entries").get(1).path("scopeVersion").asInt()).isEqualTo(2);

    CliRun diff = CliRun.against(cluster, "config", "diff", "limits", "0", "1");
    assertOk(diff);
    List<String> rows = diff.out().lines().toList();
    assertThat(rows.get(0)).matches("  #0 \\S+Z ann\\s+\\| #1 \\S+Z bob");
    assertThat(rows.get(1)).matches("  \\{\\s+\\| \\{");
    assertThat(rows.get(2)).matches("\\*   \"rps\" : 100,\\s+\\|   \"rps\" : 200,");
    // the same entry, given a comma by the one added after it: not a difference
    assertThat(rows.get(3)).matches("    \"burst\" : 5\\s+\\|   \"burst\" : 5,");
    assertThat(rows.get(4)).matches("\\*\\s+\\|   \"queue\" : 9");
    assertThat(rows.get(5)).matches("  }\\s+\\| }");
    assertThat(rows.get(6)).isEqualTo("global limits: 2 lines differ between entries 0 and 1.");
    CliRun toDeleted = CliRun.against(cluster, "config", "diff", "limits", "1", "2");
    assertThat(toDeleted.out()).contains("| (deleted)");
    assertThat(CliRun.against(cluster, "config", "diff", "limits", "1", "1").out())
        .contains("global limits had the same value after entries 1 and 1.");

    CliRun rollback =
        CliRun.against(cluster, "config", "rollback", "limits", "--to", "0", "--who", "dora");
    assertOk(rollback);
    assertThat(rollback.out().strip())
        .isEqualTo("Rolled global limits back to entry 0: scope version 4.");
    CliRun again = CliRun.against(cluster, "config", "rollback", "limits", "--to", "0");
    assertOk(again);
    assertThat(again.out())
        .contains("global limits already has the value of entry 0; nothing was written");
    try (Pipekeeper pk = connect(cluster)) {
      assertThat(pk.config().get(GLOBAL, "limits").orElseThrow().value())
          .isEqualTo(JSON.readTree("{\"rps\":100,\"burst\":5}"));
      assertThat(pk.config().history(GLOBAL, "limits").get(3).who()).isEqualTo("dora");
      assertThat(pk.config().history(GLOBAL, "limits").get(3).comment()).isEqualTo("rollback to 0");
    }
  }

  @Test
  void schemaGetSetAndDelete(TestCluster cluster, @TempDir Path dir) throws Exception {
    Path schema = write(dir, "rate.yaml", "type: integer\nminimum: 1\nmaximum: 1000\n");
    CliRun set =
        CliRun.against(
            cluster,
            "config",
            "schema",
            "set",
            "rate",
            "-f",
            schema.toString(),
            "--scope",
            "pipeline/p");
    assertOk(set);
    assertThat(set.out().strip()).isEqualTo("Schema of pipeline/p rate set.");
    CliRun get =
        CliRun.against(cluster, "config", "schema", "get", "rate", "--scope", "pipeline/p");
    assertOk(get);
    assertThat(JSON.readTree(get.out()))
        .isEqualTo(JSON.readTree("{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000}"));
    assertRefused(
        CliRun.against(cluster, "config", "set", "rate", "5000", "--scope", "pipeline/p"),
        "config pipeline/p rate: value does not match its schema",
        "1000");
    CliRun delete =
        CliRun.against(cluster, "config", "schema", "delete", "rate", "--scope", "pipeline/p");
    assertOk(delete);
    assertThat(delete.out().strip()).isEqualTo("Schema of pipeline/p rate deleted.");
    assertOk(CliRun.against(cluster, "config", "set", "rate", "5000", "--scope", "pipeline/p"));
    CliRun fromStdin =
        CliRun.againstWithInput(
            cluster,
            "{\"type\": \"string\", \"writeOnly\": true}",
            "config",
            "schema",
            "set",
            "db.password",
            "-f",
            "-");
    assertOk(fromStdin);
    assertThat(fromStdin.out().strip())
        .isEqualTo("Schema of global db.password set; its values are secret and masked.");
  }

  @Test
  void secretsAreMaskedInEveryOutput(TestCluster cluster, @TempDir Path dir) throws Exception {
    Path schema =
        write(dir, "secret.json", "{\"type\": \"string\", \"minLength\": 8, \"writeOnly\": true}");
    List<CliRun> runs = new ArrayList<>();
    runs.add(
        CliRun.against(cluster, "config", "schema", "set", "db.password", "-f", schema.toString()));
    runs.add(
        CliRun.against(
            cluster, "config", "set", "db.password", "\"" + SECRET + "\"", "--who", "ops"));
    runs.add(CliRun.against(cluster, "config", "set", "db.user", "\"app\""));
    runs.add(CliRun.against(cluster, "config", "set", "db.password", "\"" + SECRET + "-2\""));
    runs.forEach(ConfigCommandsIT::assertOk);

    CliRun get = CliRun.against(cluster, "config", "get", "db.password");
    assertThat(get.out()).startsWith("global db.password = \"******\"  (version 1");
    runs.add(get);
    JsonNode getJson = json(CliRun.against(cluster, "config", "get", "db.password", "--json"));
    assertThat(getJson.path("value").asText()).isEqualTo("******");
    assertThat(getJson.path("secret").asBoolean()).isTrue();

    CliRun list = CliRun.against(cluster, "config", "list");
    runs.add(list);
    assertThat(list.out()).containsPattern("db\\.password\\s+\"\\*\\*\\*\\*\\*\\*\"\\s+1");
    assertThat(list.out()).containsPattern("db\\.user\\s+\"app\"");
    CliRun listJson = CliRun.against(cluster, "config", "list", "--json");
    runs.add(listJson);
    assertThat(JSON.readTree(listJson.out()).path("entries").get(0).path("value").asText())
        .isEqualTo("******");

    CliRun history = CliRun.against(cluster, "config", "history", "db.password");
    runs.add(history);
    assertThat(history.out().lines().skip(1))
        .hasSize(2)
        .allMatch(line -> line.contains("\"******\""));
    CliRun historyJson = CliRun.against(cluster, "config", "history", "db.password", "--json");
    runs.add(historyJson);
    JsonNode entries = JSON.readTree(historyJson.out()).path("entries");
    assertThat(entries.get(0).path("oldValue").isNull()).isTrue();
    assertThat(entries.get(0).path("newValue").asText()).isEqualTo("******");
    assertThat(entries.get(1).path("oldValue").asText()).isEqualTo("******");

    CliRun diff = CliRun.against(cluster, "config", "diff", "db.password", "0", "1");
    runs.add(diff);
    assertThat(diff.out().lines().toList().get(1))
        .matches("\\* \"\\*\\*\\*\\*\\*\\*\"\\s+\\| \"\\*\\*\\*\\*\\*\\*\"");
    assertThat(diff.out()).contains("global db.password: 1 line differs between entries 0 and 1.");

    // Refusals do not quote the secret either.
    CliRun unquoted = CliRun.against(cluster, "config", "set", "db.password", SECRET);
    runs.add(unquoted);
    assertRefused(unquoted, "config global db.password: the value is not valid JSON");
    CliRun tooShort =
        CliRun.against(cluster, "config", "set", "db.password", "[\"" + SECRET + "\"]");
    runs.add(tooShort);
    assertRefused(
        tooShort,
        "config global db.password: value does not match its schema (details are not shown: the"
            + " key is secret)");
    Path brokenYaml = write(dir, "broken.yaml", "db.password: " + SECRET + ": x\n");
    CliRun broken = CliRun.against(cluster, "config", "apply", "-f", brokenYaml.toString());
    runs.add(broken);
    assertRefused(broken, "is not valid YAML (line 1, column", "mapping values are not allowed");
    Path brokenJson = write(dir, "broken.json", "{\"db.password\": " + SECRET + "}");
    CliRun brokenJsonRun = CliRun.against(cluster, "config", "apply", "-f", brokenJson.toString());
    runs.add(brokenJsonRun);
    assertRefused(brokenJsonRun, "is not valid JSON (line 1, column");
    Path stricter =
        write(
            dir, "stricter.json", "{\"type\": \"string\", \"maxLength\": 3, \"writeOnly\": true}");
    CliRun refusedSchema =
        CliRun.against(
            cluster, "config", "schema", "set", "db.password", "-f", stricter.toString());
    runs.add(refusedSchema);
    assertRefused(refusedSchema, "the current value does not match it (details are not shown");

    // A key secret in global stays masked where another scope sets it without a schema.
    runs.add(
        CliRun.against(
            cluster, "config", "set", "db.password", "\"" + SECRET + "\"", "--scope", "member/m"));
    CliRun member = CliRun.against(cluster, "config", "get", "db.password", "--scope", "member/m");
    runs.add(member);
    assertThat(member.out()).startsWith("member/m db.password = \"******\"");
    CliRun memberList = CliRun.against(cluster, "config", "list", "--scope", "member/m", "--json");
    runs.add(memberList);
    assertThat(JSON.readTree(memberList.out()).path("entries").get(0).path("secret").asBoolean())
        .isTrue();

    for (CliRun run : runs) {
      assertThat(run.out()).doesNotContain(SECRET);
      assertThat(run.err()).doesNotContain(SECRET);
    }
    try (Pipekeeper pk = connect(cluster)) {
      assertThat(pk.config().get(GLOBAL, "db.password").orElseThrow().value().asText())
          .isEqualTo(SECRET + "-2");
    }
  }

  @Test
  void anUnreachableZooKeeperExits1WithOneLine() {
    String zk = "127.0.0.1:" + CliTest.freePort();
    String[][] commands = {
      {"config", "get", "k"},
      {"config", "set", "k", "1"},
      {"config", "list"},
      {"config", "history", "k"},
      {"config", "schema", "get", "k"},
      {"config", "applied"},
      {"config", "watch"}
    };
    for (String[] command : commands) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(List.of("--zk", zk, "--connect-timeout", "500ms"));
      CliRun run = CliRun.run(args.toArray(String[]::new));
      assertThat(run.exitCode).as(String.join(" ", command)).isEqualTo(ExitCodes.FAILED);
      assertThat(run.err().strip())
          .as(String.join(" ", command))
          .isEqualTo("pipekeeper: ZooKeeper not reachable at " + zk + ": connection refused");
      assertThat(run.shutdown.isFinished()).isTrue();
    }
  }

  static Path write(Path dir, String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }
}
