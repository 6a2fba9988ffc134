package dev.pipekeeper.console;

import static dev.pipekeeper.console.ConsoleIT.JSON;
import static dev.pipekeeper.console.ConsoleIT.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Config changes through the console: tokens, validation, compare-and-set, cross-origin. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleWritesIT {
  static final String ALICE = "alice-token-0123456789";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  record Answer(int status, JsonNode json) {
    String error() {
      return json.path("error").asText();
    }
  }

  static Path tokens(Path dir) throws Exception {
    Path file = dir.resolve("operators");
    Files.writeString(
        file, "# who may change config\nalice=" + ALICE + "\n\nbob = bob-token-0123456789\n");
    return file;
  }

  static Answer send(
      Console console, String method, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(console.url().resolve(path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    headers.forEach(request::header);
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }

  static Answer as(Console console, String token, String method, String path, String body)
      throws Exception {
    return send(console, method, path, body, Map.of("Authorization", "Bearer " + token));
  }

  @Test
  void operatorsSetApplyAndRollBackAndEachChangeSaysWho(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-writes");
        Console console = Console.builder(pk).operatorTokens(tokens(dir)).build().start()) {
      String c = "/api/v1/clusters/" + cluster.cluster() + "/config";
      assertThat(ConsoleIT.ok(console, "/api/v1/health").path("writable").asBoolean()).isTrue();

      Answer set =
          as(
              console,
              ALICE,
              "PUT",
              c + "/keys/batch.size",
              "{\"value\": 100, \"comment\": \"more\"}");
      assertThat(set.status()).as(set.json().toString()).isEqualTo(200);
      assertThat(set.json().path("changed").toString()).contains("batch.size");
      assertThat(set.json().path("who").asText()).isEqualTo("alice");
      assertThat(pk.config().get(Scope.global(), "batch.size").orElseThrow().value().asInt())
          .isEqualTo(100);
      HistoryEntry first = pk.config().history(Scope.global(), "batch.size").get(0);
      assertThat(first.who()).isEqualTo("alice");
      assertThat(first.comment()).isEqualTo("console: more");

      // compare-and-set on the key's version: any other than the one it is at loses
      int keyVersion = pk.config().get(Scope.global(), "batch.size").orElseThrow().version();
      Answer stale =
          as(
              console,
              ALICE,
              "PUT",
              c + "/keys/batch.size",
              "{\"value\": 5, \"expectedVersion\": " + (keyVersion + 1) + "}");
      assertThat(stale.status()).isEqualTo(409);
      assertThat(stale.error()).isEqualTo("conflict");
      assertThat(
              as(
                      console,
                      "bob-token-0123456789",
                      "PUT",
                      c + "/keys/batch.size",
                      "{\"value\": 200, \"expectedVersion\": " + keyVersion + "}")
                  .status())
          .isEqualTo(200);
      assertThat(pk.config().history(Scope.global(), "batch.size").get(1).who()).isEqualTo("bob");

      // apply: two keys and a delete, one change; a stale scope version writes nothing
      int scopeVersion = pk.config().version(Scope.global());
      Answer staleApply =
          as(
              console,
              ALICE,
              "POST",
              c + "/apply",
              "{\"changes\": {\"a.one\": 1, \"a.two\": 2}, \"expectedVersion\": "
                  + (scopeVersion - 1)
                  + "}");
      assertThat(staleApply.status()).isEqualTo(409);
      assertThat(pk.config().get(Scope.global(), "a.one")).isEmpty();
      Answer apply =
          as(
              console,
              ALICE,
              "POST",
              c + "/apply",
              "{\"changes\": {\"a.one\": 1, \"a.two\": \"two\", \"batch.size\": null},"
                  + " \"expectedVersion\": "
                  + scopeVersion
                  + "}");
      assertThat(apply.status()).as(apply.json().toString()).isEqualTo(200);
      assertThat(apply.json().path("scopeVersion").asInt()).isEqualTo(scopeVersion + 1);
      assertThat(pk.config().get(Scope.global(), "a.two").orElseThrow().value().asText())
          .isEqualTo("two");
      assertThat(pk.config().get(Scope.global(), "batch.size")).isEmpty();

      // rollback to the entry that set 100
      List<HistoryEntry> history = pk.config().history(Scope.global(), "batch.size");
      int hundred = history.get(0).sequence();
      Answer rollback =
          as(
              console,
              ALICE,
              "POST",
              c + "/keys/batch.size/rollback",
              "{\"sequence\": " + hundred + "}");
      assertThat(rollback.status()).as(rollback.json().toString()).isEqualTo(200);
      assertThat(pk.config().get(Scope.global(), "batch.size").orElseThrow().value().asInt())
          .isEqualTo(100);
      Answer staleRollback =
          as(
              console,
              ALICE,
              "POST",
              c + "/keys/batch.size/rollback",
              "{\"sequence\": " + hundred + ", \"expectedVersion\": 0}");
      assertThat(staleRollback.status()).isEqualTo(409);
      Answer noEntry =
          as(console, ALICE, "POST", c + "/keys/batch.size/rollback", "{\"sequence\": 999}");
      assertThat(noEntry.status()).isEqualTo(400);
      assertThat(noEntry.error()).isEqualTo("bad-input");
    }
  }

  @Test
  void badInputIsRefusedWithTheCliSMessagesAndNothingIsWritten(
      TestCluster cluster, @TempDir Path dir) throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-writes");
        Console console = Console.builder(pk).operatorTokens(tokens(dir)).build().start()) {
      String c = "/api/v1/clusters/" + cluster.cluster() + "/config";
      pk.config()
          .setSchema(Scope.global(), "mode", JSON.readTree("{\"enum\": [\"fast\", \"safe\"]}"));
      pk.config()
          .setSchema(
              Scope.global(),
              "db.password",
              JSON.readTree("{\"type\": \"string\", \"minLength\": 8, \"writeOnly\": true}"));

      Answer notJson = as(console, ALICE, "PUT", c + "/keys/mode", "{\"value\": hunter2");
      assertThat(notJson.status()).isEqualTo(400);
      assertThat(notJson.json().path("message").asText()).isEqualTo("the body is not valid JSON");
      Answer noValue = as(console, ALICE, "PUT", c + "/keys/mode", "{\"comment\": \"x\"}");
      assertThat(noValue.status()).isEqualTo(400);
      Answer schema = as(console, ALICE, "PUT", c + "/keys/mode", "{\"value\": \"slow\"}");
      assertThat(schema.status()).isEqualTo(400);
      assertThat(schema.json().path("message").asText())
          .contains("mode", "does not match its schema");
      Answer badKey = as(console, ALICE, "PUT", c + "/keys/no%20spaces", "{\"value\": 1}");
      assertThat(badKey.status()).isEqualTo(400);
      Answer badScope =
          as(console, ALICE, "PUT", c + "/keys/mode?scope=nowhere/x", "{\"value\": 1}");
      assertThat(badScope.status()).isEqualTo(400);
      Answer noChanges = as(console, ALICE, "POST", c + "/apply", "{\"changes\": {}}");
      assertThat(noChanges.status()).isEqualTo(400);
      Answer badVersion =
          as(
              console,
              ALICE,
              "POST",
              c + "/apply",
              "{\"changes\": {\"a\": 1}, \"expectedVersion\": \"x\"}");
      assertThat(badVersion.status()).isEqualTo(400);
      // a secret's refusal does not quote the value
      Answer secret = as(console, ALICE, "PUT", c + "/keys/db.password", "{\"value\": \"short\"}");
      assertThat(secret.status()).isEqualTo(400);
      assertThat(secret.json().path("message").asText())
          .contains("details are not shown")
          .doesNotContain("short");
      assertThat(pk.config().get(Scope.global(), "db.password")).isEmpty();

      // the editor's check: the same refusals, nothing written, no token needed
      Answer valid =
          send(console, "POST", c + "/check", "{\"changes\": {\"mode\": \"fast\"}}", Map.of());
      assertThat(valid.status()).isEqualTo(200);
      assertThat(valid.json().path("valid").asBoolean()).isTrue();
      Answer invalid =
          send(console, "POST", c + "/check", "{\"changes\": {\"mode\": \"slow\"}}", Map.of());
      assertThat(invalid.status()).isEqualTo(200);
      assertThat(invalid.json().path("valid").asBoolean()).isFalse();
      assertThat(invalid.json().path("problems").get(0).asText())
          .contains("does not match its schema");
      Answer secretCheck =
          send(
              console,
              "POST",
              c + "/check",
              "{\"changes\": {\"db.password\": \"short\"}}",
              Map.of());
      assertThat(secretCheck.json().path("problems").get(0).asText())
          .contains("details are not shown")
          .doesNotContain("short");
      assertThat(pk.config().get(Scope.global(), "mode")).isEmpty();
    }
  }

  @Test
  void withoutAKnownTokenOrFromAnotherOriginNothingChanges(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-writes");
        Console readOnly = Console.builder(pk).build().start();
        Console console = Console.builder(pk).operatorTokens(tokens(dir)).build().start()) {
      pk.config().set(Scope.global(), "mode", "safe", ChangeOptions.by("test"));
      String c = "/api/v1/clusters/" + cluster.cluster() + "/config";
      String body = "{\"value\": \"fast\"}";
      String self = "http://127.0.0.1:" + console.port();

      Answer readOnlyAnswer = as(readOnly, ALICE, "PUT", c + "/keys/mode", body);
      assertThat(readOnlyAnswer.status()).isEqualTo(403);
      assertThat(readOnlyAnswer.error()).isEqualTo("forbidden");
      assertThat(readOnlyAnswer.json().path("message").asText()).contains("read-only");
      assertThat(ConsoleIT.ok(readOnly, "/api/v1/health").path("writable").asBoolean()).isFalse();

      Answer none = send(console, "PUT", c + "/keys/mode", body, Map.of());
      assertThat(none.status()).isEqualTo(403);
      assertThat(none.json().path("message").asText()).contains("needs an operator token");
      Answer wrong = as(console, "alice-token-0123456780", "PUT", c + "/keys/mode", body);
      assertThat(wrong.status()).isEqualTo(403);
      assertThat(wrong.json().toString()).doesNotContain("alice-token");
      Answer basic =
          send(console, "PUT", c + "/keys/mode", body, Map.of("Authorization", "Basic YTpi"));
      assertThat(basic.status()).isEqualTo(403);
      Answer rollback =
          send(console, "POST", c + "/keys/mode/rollback", "{\"sequence\": 0}", Map.of());
      assertThat(rollback.status()).isEqualTo(403);
      Answer apply = send(console, "POST", c + "/apply", "{\"changes\": {\"a\": 1}}", Map.of());
      assertThat(apply.status()).isEqualTo(403);

      Answer crossOrigin =
          send(
              console,
              "PUT",
              c + "/keys/mode",
              body,
              Map.of("Authorization", "Bearer " + ALICE, "Origin", "http://evil.example"));
      assertThat(crossOrigin.status()).isEqualTo(403);
      assertThat(crossOrigin.json().path("message").asText()).contains("own page");
      Answer crossSite =
          send(
              console,
              "PUT",
              c + "/keys/mode",
              body,
              Map.of("Authorization", "Bearer " + ALICE, "Sec-Fetch-Site", "cross-site"));
      assertThat(crossSite.status()).isEqualTo(403);
      assertThat(pk.config().get(Scope.global(), "mode").orElseThrow().value().asText())
          .isEqualTo("safe");

      Answer ownPage =
          send(
              console,
              "PUT",
              c + "/keys/mode",
              body,
              Map.of(
                  "Authorization",
                  "Bearer " + ALICE,
                  "Origin",
                  self,
                  "Sec-Fetch-Site",
                  "same-origin"));
      assertThat(ownPage.status()).as(ownPage.json().toString()).isEqualTo(200);
      assertThat(pk.config().get(Scope.global(), "mode").orElseThrow().value().asText())
          .isEqualTo("fast");
    }
  }

  @Test
  void aBadTokenFileIsRefusedWithoutQuotingATokenAndNothingIsServed(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("operators");
    Files.writeString(file, "alice=short-secret\n");
    assertThatThrownBy(() -> OperatorTokens.load(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("shorter than 16")
        .hasMessageNotContaining("short-secret");
    Files.writeString(file, "alice=" + ALICE + "\nbob=" + ALICE + "\n");
    assertThatThrownBy(() -> OperatorTokens.load(file))
        .hasMessageContaining("line 2")
        .hasMessageNotContaining(ALICE);
    Files.writeString(file, "just-a-token-without-a-name\n");
    assertThatThrownBy(() -> OperatorTokens.load(file))
        .hasMessageContaining("NAME=TOKEN")
        .hasMessageNotContaining("just-a-token");
    Files.writeString(file, "# nobody\n");
    assertThatThrownBy(() -> OperatorTokens.load(file)).hasMessageContaining("names no operator");
    assertThatThrownBy(() -> OperatorTokens.load(dir.resolve("missing")))
        .hasMessageContaining("no such file");
    OperatorTokens two = OperatorTokens.load(tokens(dir));
    assertThat(two.operator(ALICE).map(OperatorTokens.Known::name)).contains("alice");
    assertThat(two.operator("bob-token-0123456789").map(OperatorTokens.Known::name))
        .contains("bob");
    assertThat(two.operator(ALICE + "x")).isEmpty();
  }
}
