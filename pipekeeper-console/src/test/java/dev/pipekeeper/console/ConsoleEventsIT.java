package dev.pipekeeper.console;

import static dev.pipekeeper.console.ConsoleIT.BOUND;
import static dev.pipekeeper.console.ConsoleIT.BY_TEST;
import static dev.pipekeeper.console.ConsoleIT.HTTP;
import static dev.pipekeeper.console.ConsoleIT.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event stream: live member and config events, and resuming with Last-Event-ID; a change of
 * every other kind (leaders, assignments, health, alerts, applied versions, a new group) told by
 * the cluster watch.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleEventsIT {
  private static final UnitHandler IDLE =
      new UnitHandler() {
        @Override
        public void start(UnitOwnership unit) {}

        @Override
        public void stop(UnitOwnership unit) {}
      };

  private static boolean arrived(
      EventStream stream, String type, Predicate<com.fasterxml.jackson.databind.JsonNode> data) {
    return stream.ofType(type).stream().anyMatch(e -> data.test(e.data()));
  }

  @Test
  void aChangeOfEveryKindReachesTheStream(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-it");
        Pipekeeper other = connect(cluster, "worker-1");
        Console console = Console.builder(pk).build().start();
        EventStream stream = EventStream.open(HTTP, console.url(), null)) {
      await().atMost(BOUND).until(() -> !stream.ofType("ready").isEmpty());

      // a leader of a new role
      Leadership nightly = other.leadership("nightly").start();
      nightly.awaitLease(BOUND).orElseThrow();
      await()
          .atMost(BOUND)
          .until(
              () -> arrived(stream, "leaders", d -> d.toString().contains("\"role\":\"nightly\"")));

      // a new work group: announced, then its leader publishes an assignment
      other.workUnits("jobs").put(WorkUnit.of("tenant-1"));
      GroupWorker worker = other.worker("jobs", MemberInfo.withCapacity(2), IDLE);
      await()
          .atMost(BOUND)
          .until(
              () -> arrived(stream, "group-added", d -> d.path("group").asText().equals("jobs")));
      await()
          .atMost(BOUND)
          .until(
              () ->
                  arrived(
                      stream,
                      "assignment",
                      d ->
                          d.path("group").asText().equals("jobs")
                              && d.path("generation").isNumber()
                              && d.path("owners").path("tenant-1").asText().equals("worker-1")));

      // a health record
      HealthPublication health =
          other.health().publish("jobs", Duration.ofSeconds(30), () -> report("worker-1"));
      await()
          .atMost(BOUND)
          .until(
              () ->
                  arrived(
                      stream,
                      "health",
                      d ->
                          d.path("group").asText().equals("jobs")
                              && d.path("reports").size() == 1));

      // a member acknowledging the config it applied
      ConfigView view = other.config().view("jobs", worker.member().id());
      await()
          .atMost(BOUND)
          .until(() -> arrived(stream, "applied", d -> d.path("members").has("worker-1")));

      // an alert: the group is smaller than its rule wants
      pk.config()
          .set(
              Scope.global(),
              Rules.KEY,
              ConsoleIT.JSON.readTree(
                  "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\","
                      + " \"min\": 2}]"),
              BY_TEST);
      Monitor monitor =
          pk.monitor().evaluationInterval(Duration.ofMillis(200)).logSink(false).start();
      await()
          .atMost(BOUND)
          .until(() -> arrived(stream, "alerts", d -> d.toString().contains("small")));

      monitor.close();
      view.close();
      health.close();
      worker.close();
      nightly.close();
    }
  }

  private static HealthReport report(String member) {
    return new HealthReport(
        "jobs",
        member,
        "RUNNING",
        1,
        1.0,
        1.0,
        0,
        0.0,
        Instant.now(),
        Map.of("jobs-0", 1L),
        Map.of(),
        List.of(),
        Instant.now());
  }

  @Test
  void aMemberJoinAndAConfigCommitArriveAndAReconnectResumes(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-it");
        Pipekeeper other = connect(cluster, "worker-2")) {
      Member first = pk.membership().join("orders", MemberInfo.withCapacity(1));
      try (Console console = Console.builder(pk).eventHistory(5).build().start();
          EventStream stream = EventStream.open(HTTP, console.url(), null)) {
        assertThat(stream.status).isEqualTo(200);
        assertThat(stream.contentType).startsWith("text/event-stream");
        await().atMost(BOUND).until(() -> !stream.ofType("ready").isEmpty());
        // The group existed at start, so the console watches it from its first read.
        await()
            .atMost(BOUND)
            .until(
                () ->
                    ConsoleIT.ok(console, "/api/v1/clusters/" + cluster.cluster() + "/groups")
                            .size()
                        == 1);

        Member second = other.membership().join("orders", MemberInfo.withCapacity(1));
        await()
            .atMost(BOUND)
            .until(
                () ->
                    stream.ofType("member-joined").stream()
                        .anyMatch(
                            e -> e.data().path("member").path("id").asText().equals(second.id())));
        EventStream.Event joined =
            stream.ofType("member-joined").stream()
                .filter(e -> e.data().path("member").path("id").asText().equals(second.id()))
                .findFirst()
                .orElseThrow();
        assertThat(joined.id()).isNotNull();
        assertThat(joined.data().path("group").asText()).isEqualTo("orders");

        pk.config().set(Scope.global(), "alert.threshold", 0.7, BY_TEST);
        await().atMost(BOUND).until(() -> !stream.ofType("config").isEmpty());
        EventStream.Event commit = stream.ofType("config").get(0);
        assertThat(commit.data().path("scope").asText()).isEqualTo("global");
        assertThat(commit.data().path("changed").toString()).contains("alert.threshold");
        assertThat(commit.data().toString()).doesNotContain("0.7"); // keys only, never values
        assertThat(Long.parseLong(commit.id())).isGreaterThan(Long.parseLong(joined.id()));

        // A client that saw the join reconnects: it is sent what came after, then ready.
        try (EventStream resumed = EventStream.open(HTTP, console.url(), joined.id())) {
          await().atMost(BOUND).until(() -> !resumed.ofType("ready").isEmpty());
          List<EventStream.Event> replayed =
              resumed.events.stream().takeWhile(e -> !e.type().equals("ready")).toList();
          assertThat(replayed).extracting(EventStream.Event::id).contains(commit.id());
          assertThat(replayed).extracting(EventStream.Event::id).doesNotContain(joined.id());
          assertThat(resumed.ofType("reset")).isEmpty();
        }

        // More events than the ring keeps (5): an old id gets a reset, as does a foreign one.
        for (int i = 0; i < 6; i++) {
          pk.config().set(Scope.global(), "alert.count", i, BY_TEST);
          int n = i + 1;
          await().atMost(BOUND).until(() -> stream.ofType("config").size() == 1 + n);
        }
        try (EventStream tooOld = EventStream.open(HTTP, console.url(), joined.id());
            EventStream foreign = EventStream.open(HTTP, console.url(), "999999")) {
          await().atMost(BOUND).until(() -> !tooOld.ofType("ready").isEmpty());
          await().atMost(BOUND).until(() -> !foreign.ofType("ready").isEmpty());
          assertThat(tooOld.events.get(0).type()).isEqualTo("reset");
          assertThat(tooOld.events.get(0).data().path("reason").asText()).contains("older than");
          assertThat(foreign.events.get(0).type()).isEqualTo("reset");
        }

        second.close();
        await().atMost(BOUND).until(() -> !stream.ofType("member-left").isEmpty());
      }
      first.close();
    }
  }

  @Test
  void aScopeMadeByItsFirstCommitIsAnnounced(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = connect(cluster, "console-it");
        Console console = Console.builder(pk).build().start();
        EventStream stream = EventStream.open(HTTP, console.url(), null)) {
      await().atMost(BOUND).until(() -> !stream.ofType("ready").isEmpty());
      // no such scope when the console started: the commit makes it, before any view of it
      pk.config().set(Scope.pipeline("billing"), "batch.size", 10, BY_TEST);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  stream.ofType("config").stream()
                      .anyMatch(e -> e.data().path("scope").asText().equals("pipeline/billing")));
      EventStream.Event made =
          stream.ofType("config").stream()
              .filter(e -> e.data().path("scope").asText().equals("pipeline/billing"))
              .findFirst()
              .orElseThrow();
      assertThat(made.data().path("version").asInt()).isEqualTo(1);
      assertThat(made.data().path("changed").toString()).isEqualTo("[\"batch.size\"]");
      // and the next commit comes from the scope's view
      pk.config().set(Scope.pipeline("billing"), "batch.size", 20, BY_TEST);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  stream.ofType("config").stream()
                      .anyMatch(
                          e ->
                              e.data().path("scope").asText().equals("pipeline/billing")
                                  && e.data().path("version").asInt() == 2));
    }
  }
}
