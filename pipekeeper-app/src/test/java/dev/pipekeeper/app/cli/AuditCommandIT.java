package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipekeeper audit} and {@code audit tail}, end to end: real coordination and config changes
 * made through the library (a member joining, leaving gracefully, and dying with its session; a
 * leader granted; a lock taken and released; two assignment generations; config changes, one of a
 * secret key; an alert fired by the elected monitor) come out of the audit topic as typed events,
 * in order, the secret masked.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class AuditCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void everyChangeComesOutAsATypedEvent(TestCluster cluster) throws Exception {
    CliRun audit = new CliRun(Map.of());
    String[] kafka = {"--bootstrap-servers", cluster.bootstrapServers()};
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () ->
                audit.execute(
                    "audit",
                    "--offsets",
                    dir.resolve("audit.offsets").toString(),
                    "--zk",
                    cluster.zkConnect(),
                    "--cluster",
                    cluster.cluster(),
                    kafka[0],
                    kafka[1]));
    await("the audit running")
        .atMost(BOUND)
        .failFast("audit exited: " + audit.err(), running::isDone)
        .until(() -> audit.out().contains("audit: cluster " + cluster.cluster()));

    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", cluster.zookeeper().server(1).clientPort());
        Pipekeeper pk = connect(cluster.zkConnect(), cluster, "worker-1", Duration.ofSeconds(10));
        Pipekeeper doomed = connect(proxy.address(), cluster, "worker-2", Duration.ofSeconds(2));
        Monitor monitor = pk.monitor().evaluationInterval(Duration.ofMillis(200)).start()) {
      Scope global = Scope.global();
      pk.config()
          .setSchema(
              global, "db.password", JSON.readTree("{\"type\":\"string\",\"writeOnly\":true}"));
      pk.config()
          .set(global, "db.password", "hunter2", ChangeOptions.by("alice").comment("rotate"));
      pk.config().set(global, "threshold", 5, ChangeOptions.by("alice"));
      pk.config().set(global, "threshold", 7, ChangeOptions.by("bob").comment("raise"));

      Member one = pk.membership().join("orders", MemberInfo.defaults());
      doomed.membership().join("orders", MemberInfo.defaults());
      Lease lease = pk.leadership("scheduler").start().awaitLease(BOUND).orElseThrow();
      try (LockHandle lock = pk.locks().mutex("tenant-1").acquire(BOUND)) {
        // held until the stream has read its node: a hold shorter than that read is not seen
        await().atMost(BOUND).until(() -> types(tail(cluster)).contains("lock.taken"));
        assertThat(lock).isNotNull();
      }
      pk.assignments("orders").publish(lease, Map.of("u1", "worker-1"));
      pk.assignments("orders").publish(lease, Map.of("u1", "worker-2", "u2", "worker-1"));
      proxy.blackhole(); // worker-2's session expires on the server: its node goes, no leave
      await().atMost(BOUND).until(() -> types(tail(cluster)).contains("member.died"));
      one.close(); // a graceful leave
      await("member-down fired for worker-2")
          .atMost(BOUND)
          .until(() -> types(tail(cluster)).containsAll(List.of("member.left", "alert.firing")));

      List<JsonNode> events = tail(cluster);
      List<String> types = types(events);
      assertThat(types)
          .containsSubsequence(
              "config.changed",
              "config.changed",
              "config.changed",
              "member.joined",
              "member.joined",
              "leader.granted",
              "lock.taken",
              "lock.released",
              "assignment.published",
              "assignment.published",
              "member.died",
              "member.left");
      JsonNode secret = only(events, "config.changed", "config/global/db.password");
      assertThat(secret.path("new").asText()).isEqualTo("\"******\"");
      assertThat(secret.path("secret").asBoolean()).isTrue();
      assertThat(secret.path("who").asText()).isEqualTo("alice");
      assertThat(events.toString()).doesNotContain("hunter2");
      JsonNode raised =
          events.stream()
              .filter(e -> e.path("subject").asText().equals("config/global/threshold"))
              .reduce((a, b) -> b)
              .orElseThrow();
      assertThat(raised.path("old").asText()).isEqualTo("5");
      assertThat(raised.path("new").asText()).isEqualTo("7");
      assertThat(raised.path("comment").asText()).isEqualTo("raise");

      JsonNode granted = only(events, "leader.granted", "role/scheduler");
      assertThat(granted.path("epoch").asLong()).isEqualTo(lease.epoch());
      assertThat(granted.path("leader").asText()).contains("worker-1");
      JsonNode taken = only(events, "lock.taken", "lock/tenant-1");
      JsonNode released = only(events, "lock.released", "lock/tenant-1");
      assertThat(taken.path("token").asLong())
          .isPositive()
          .isEqualTo(released.path("token").asLong());
      assertThat(taken.path("owner").asText()).contains("worker-1");

      List<JsonNode> published =
          events.stream()
              .filter(e -> e.path("type").asText().equals("assignment.published"))
              .toList();
      assertThat(published.get(1).path("generation").asLong()).isEqualTo(2);
      assertThat(published.get(1).path("moves").toString())
          .contains("{\"unit\":\"u1\",\"from\":\"worker-1\",\"to\":\"worker-2\"}")
          .contains("{\"unit\":\"u2\",\"from\":null,\"to\":\"worker-1\"}");
      assertThat(only(events, "member.died", "member/orders/worker-2")).isNotNull();
      assertThat(only(events, "member.left", "member/orders/worker-1")).isNotNull();
      assertThat(events)
          .filteredOn(e -> e.path("type").asText().equals("alert.firing"))
          .anySatisfy(
              e -> assertThat(e.path("key").asText()).contains("member-down").contains("worker-2"));

      CliRun text = CliRun.against(cluster, "audit", "tail", kafka[0], kafka[1]);
      assertThat(text.exitCode).as(text.err()).isZero();
      assertThat(text.out())
          .containsPattern("(?m)^\\S+Z member\\.died member/orders/worker-2 .*group=orders")
          .containsPattern("(?m)^\\S+Z lock\\.taken lock/tenant-1 .*token=\\d+");
      CliRun none =
          CliRun.against(cluster, "audit", "tail", "--since", "1ms", "--json", kafka[0], kafka[1]);
      assertThat(none.exitCode).isZero();
      assertThat(monitor).isNotNull();
    } finally {
      audit.shutdown.triggerAndWait();
      running.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
    assertThat(audit.exitCode).as(audit.err()).isZero();
  }

  @Test
  void tailOfAClusterWithoutAnAuditTopicSaysSo(TestCluster cluster) {
    CliRun run =
        CliRun.against(cluster, "audit", "tail", "--bootstrap-servers", cluster.bootstrapServers());
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("no audit topic pipekeeper-audit-" + cluster.cluster());
    CliRun bad = CliRun.against(cluster, "audit", "tail", "--since", "yesterday");
    assertThat(bad.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--since 'yesterday' is neither an instant");
  }

  private static Pipekeeper connect(
      String zk, TestCluster cluster, String identity, Duration session) {
    return Pipekeeper.builder()
        .zookeeper(zk)
        .cluster(cluster.cluster())
        .identity(identity)
        .sessionTimeout(session)
        .build();
  }

  private static List<JsonNode> tail(TestCluster cluster) throws Exception {
    CliRun run =
        CliRun.against(
            cluster, "audit", "tail", "--json", "--bootstrap-servers", cluster.bootstrapServers());
    List<JsonNode> events = new ArrayList<>();
    if (run.exitCode != 0) {
      return events; // the topic does not exist yet
    }
    for (String line : run.out().lines().toList()) {
      events.add(JSON.readTree(line));
    }
    return events;
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.path("type").asText()).toList();
  }

  private static JsonNode only(List<JsonNode> events, String type, String subject) {
    List<JsonNode> found =
        events.stream()
            .filter(e -> e.path("type").asText().equals(type))
            .filter(e -> e.path("subject").asText().equals(subject))
            .toList();
    assertThat(found).as(type + " " + subject + " in " + events).hasSize(1);
    return found.get(0);
  }
}
