package dev.pipekeeper.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every endpoint against a real ZooKeeper, through a real HTTP client. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ChangeOptions BY_TEST = ChangeOptions.by("console-it");

  static Pipekeeper connect(TestCluster cluster, String identity) {
    return Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(identity)
        .build();
  }

  record Answer(int status, JsonNode json) {}

  static Answer get(Console console, String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(console.url().resolve(path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .as(path)
        .startsWith("application/json");
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }

  static JsonNode ok(Console console, String path) throws Exception {
    Answer answer = get(console, path);
    assertThat(answer.status()).as(path + ": " + answer.json()).isEqualTo(200);
    return answer.json();
  }

  /** A raw client under the cluster's namespace, to write what Pipekeeper would not. */
  static CuratorFramework raw(TestCluster cluster) {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(cluster.zkConnect())
            .namespace(ZkLayout.namespace(cluster.cluster()))
            .retryPolicy(new RetryOneTime(100))
            .build();
    client.start();
    return client;
  }

  private static final UnitHandler IDLE =
      new UnitHandler() {
        @Override
        public void start(UnitOwnership unit) {}

        @Override
        public void stop(UnitOwnership unit) {}
      };

  @Test
  void everyEndpointShowsWhatTheClusterHolds(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-it");
        Pipekeeper worker = connect(cluster, "worker-1");
        CuratorFramework raw = raw(cluster)) {
      pk.workUnits("orders").put(WorkUnit.of("tenant-1"));
      pk.workUnits("orders").put(WorkUnit.of("tenant-2").withWeight(2));
      GroupWorker w = worker.worker("orders", MemberInfo.withCapacity(4), IDLE);
      Leadership nightly = pk.leadership("nightly").start();
      nightly.awaitLease(BOUND).orElseThrow();
      LockHandle lock = pk.locks().mutex("tenant-42").acquire(BOUND);
      pk.config().set(Scope.global(), "alert.threshold", 0.9, BY_TEST);
      pk.config().set(Scope.global(), "alert.threshold", 0.8, BY_TEST.comment("lower"));
      JsonNode secretSchema = JSON.readTree("{\"type\":\"string\",\"writeOnly\":true}");
      pk.config().setSchema(Scope.global(), "db.password", secretSchema);
      pk.config().set(Scope.global(), "db.password", "hunter2", BY_TEST);
      // Written behind Pipekeeper's back: a config value and a member record that are no JSON.
      raw.create()
          .creatingParentsIfNeeded()
          .forPath(
              ZkLayout.configKey(Scope.global().path(), "broken.key"),
              "{not json".getBytes(StandardCharsets.UTF_8));
      raw.create()
          .creatingParentsIfNeeded()
          .forPath(ZkLayout.member("orders", "ghost"), "garbage".getBytes(StandardCharsets.UTF_8));
      HealthPublication health =
          worker
              .health()
              .publish(
                  "orders",
                  Duration.ofSeconds(1),
                  () ->
                      new HealthReport(
                          "orders",
                          "worker-1",
                          "RUNNING",
                          10,
                          1.5,
                          1.5,
                          0,
                          0,
                          Instant.now(),
                          Map.of("tenant-1", 3L),
                          Map.of("global", 4),
                          List.of(),
                          Instant.now()));
      String c = "/api/v1/clusters/" + cluster.cluster();
      try (Console console = Console.builder(pk).build().start()) {
        await()
            .atMost(BOUND)
            .until(() -> ok(console, c + "/groups/orders/assignment").path("generation").isInt());

        assertThat(ok(console, "/api/v1/health").path("connected").asBoolean()).isTrue();
        assertThat(ok(console, "/api/v1/clusters").get(0).path("name").asText())
            .isEqualTo(cluster.cluster());
        assertThat(ok(console, c).path("groups").toString()).contains("orders");
        assertThat(ok(console, c + "/groups").toString()).contains("orders");

        JsonNode listed = ok(console, c + "/groups/orders/members");
        JsonNode members = listed.path("members");
        assertThat(members).hasSize(1); // the ghost is left out, the listing stands
        JsonNode ghost = find(listed.path("skipped"), "name", "ghost");
        assertThat(ghost.path("reason").asText()).contains("not a valid member record");
        assertThat(members.get(0).path("id").asText()).isEqualTo(w.member().id());
        assertThat(members.get(0).path("state").asText()).isNotBlank();
        assertThat(members.get(0).has("appliedConfig")).isTrue();

        JsonNode units = ok(console, c + "/groups/orders/units");
        assertThat(units.toString()).contains("tenant-1", "tenant-2");

        JsonNode assignment = ok(console, c + "/groups/orders/assignment");
        assertThat(assignment.path("group").asText()).isEqualTo("orders");
        assertThat(assignment.path("generation").asInt()).isPositive();
        assertThat(assignment.path("assigned").path("tenant-1").asText())
            .isEqualTo(w.member().id());
        assertThat(ok(console, c + "/assignments").get(0).path("group").asText())
            .isEqualTo("orders");

        JsonNode leaders = ok(console, c + "/leaders");
        JsonNode role = find(leaders, "role", "nightly");
        assertThat(role.path("leader").asText()).isEqualTo("console-it");
        assertThat(role.path("epoch").asLong()).isPositive();

        JsonNode locks = ok(console, c + "/locks");
        JsonNode mutex = find(locks, "name", "tenant-42");
        assertThat(mutex.path("holders").get(0).path("owner").asText()).isEqualTo("console-it");
        assertThat(mutex.path("holders").get(0).path("token").asLong()).isPositive();
        assertThat(mutex.path("holders").get(0).path("since").asText()).isNotBlank();

        await().atMost(BOUND).until(() -> ok(console, c + "/groups/orders/health").size() == 1);
        assertThat(ok(console, c + "/groups/orders/health").get(0).path("state").asText())
            .isEqualTo("RUNNING");
        assertThat(ok(console, c + "/health").has("orders")).isTrue();

        assertThat(ok(console, c + "/config/scopes").toString()).contains("\"global\"");
        JsonNode listing = ok(console, c + "/config?scope=global");
        JsonNode threshold = find(listing.path("entries"), "key", "alert.threshold");
        assertThat(threshold.path("value").asDouble()).isEqualTo(0.8);
        JsonNode password = find(listing.path("entries"), "key", "db.password");
        assertThat(password.path("value").asText()).isEqualTo("******");
        assertThat(password.path("secret").asBoolean()).isTrue();
        assertThat(listing.toString()).doesNotContain("hunter2");
        JsonNode skipped = find(listing.path("skipped"), "name", "broken.key");
        assertThat(skipped.path("reason").asText()).isNotBlank();

        Answer unreadable = get(console, c + "/config/keys/broken.key");
        assertError(unreadable, 500, "failed");
        assertThat(unreadable.json().path("message").asText())
            .contains("broken.key")
            .doesNotContain("{not json");

        JsonNode entry = ok(console, c + "/config/keys/alert.threshold");
        assertThat(entry.path("value").asDouble()).isEqualTo(0.8);
        assertThat(entry.path("version").asInt()).isEqualTo(1); // its znode version: 0, then 1
        assertThat(ok(console, c + "/config/keys/db.password").path("value").asText())
            .isEqualTo("******");

        JsonNode history = ok(console, c + "/config/keys/alert.threshold/history");
        assertThat(history.path("entries")).hasSize(2);
        assertThat(history.path("entries").get(1).path("comment").asText()).isEqualTo("lower");
        assertThat(history.path("entries").get(1).path("who").asText()).isEqualTo("console-it");
        assertThat(ok(console, c + "/config/keys/db.password/history").toString())
            .doesNotContain("hunter2");

        assertThat(ok(console, c + "/alerts").isArray()).isTrue();
        assertThat(ok(console, c + "/alerts/history?limit=5").isArray()).isTrue();
        assertThat(ok(console, c + "/alerts/rules").path("source").asText()).isEqualTo("defaults");
        assertThat(ok(console, "/api/openapi.json").path("openapi").asText()).startsWith("3.");
      }
      health.close();
      lock.close();
      nightly.close();
      w.close();
    }
  }

  @Test
  void badInputIs400AndWhatIsNotThere404AsJson(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-it");
        Console console = Console.builder(pk).build().start()) {
      pk.membership().join("orders", MemberInfo.withCapacity(1));
      String c = "/api/v1/clusters/" + cluster.cluster();
      await().atMost(BOUND).until(() -> ok(console, c + "/groups").size() == 1);

      assertError(get(console, "/api/v1/clusters/elsewhere/leaders"), 404, "not-found");
      assertError(get(console, c + "/groups/nothing-here/members"), 404, "not-found");
      assertError(get(console, c + "/config/keys/no.such.key"), 404, "not-found");
      assertError(get(console, "/api/v1/no-such-route"), 404, "not-found");
      assertError(get(console, c + "/config?scope=nowhere/x"), 400, "bad-input");
      assertError(get(console, c + "/groups/bad*name/members"), 400, "bad-input");
      assertError(get(console, c + "/alerts?state=maybe"), 400, "bad-input");
      assertError(get(console, c + "/alerts/history?limit=lots"), 400, "bad-input");
      assertError(get(console, c + "/alerts/history?limit=0"), 400, "bad-input");
      assertError(get(console, "/api/v1/events"), 400, "bad-input"); // no Accept: text/event-stream
    }
  }

  @Test
  void itsLifecycleIsExplicitAndSafeTwice(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-it")) {
      Console console = Console.builder(pk).build();
      assertThat(console.state()).isEqualTo(Console.State.LATENT);
      assertThatThrownBy(console::port).isInstanceOf(IllegalStateException.class);
      assertThat(console.start()).isSameAs(console.start());
      assertThat(console.port()).isPositive();
      int port = console.port();
      assertThat(ok(console, "/api/v1/health").path("console").asText()).isEqualTo("serving");
      assertThat(consoleThreads()).isEqualTo(1);
      console.close();
      console.close();
      assertThat(console.state()).isEqualTo(Console.State.CLOSED);
      await().atMost(BOUND).until(() -> consoleThreads() == 0); // no thread left behind
      assertThat(
              HTTP.sendAsync(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .handle((response, error) -> error != null)
                  .get())
          .as("nothing serves on the port any more")
          .isTrue();
      assertThatThrownBy(console::start).isInstanceOf(IllegalStateException.class);
      assertThat(pk.connectionState().isConnected())
          .as("the connection is not the console's")
          .isTrue();
    }
  }

  static long consoleThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals(Watches.THREAD))
        .count();
  }

  static void assertError(Answer answer, int status, String error) {
    assertThat(answer.status()).as(answer.json().toString()).isEqualTo(status);
    assertThat(answer.json().path("error").asText()).isEqualTo(error);
    assertThat(answer.json().path("message").asText()).isNotBlank();
  }

  static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode item : array) {
      if (item.path(field).asText().equals(value)) {
        return item;
      }
    }
    throw new AssertionError("no " + field + "=" + value + " in " + array);
  }

  static URI base(Console console) {
    return console.url();
  }
}
