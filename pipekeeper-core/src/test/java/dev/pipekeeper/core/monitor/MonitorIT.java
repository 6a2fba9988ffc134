package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.sun.net.httpserver.HttpServer;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.core.testing.RecordingSink;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The monitor against a real ZooKeeper: each rule kind that needs only ZooKeeper, failover. */
@ExtendWith(EmbeddedClusterExtension.class)
class MonitorIT {
  /** A unit handler that runs nothing: the tests look at assignments, not at the work. */
  static final UnitHandler IDLE =
      new UnitHandler() {
        @Override
        public void start(UnitOwnership unit) {}

        @Override
        public void stop(UnitOwnership unit) {}
      };

  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final ObjectMapper JSON = new ObjectMapper();

  static void setRules(Pipekeeper pk, String rules) throws Exception {
    pk.config().set(Scope.global(), Rules.KEY, JSON.readTree(rules), ChangeOptions.by("test"));
  }

  static Monitor monitor(Pipekeeper pk, AlertSink... sinks) {
    MonitorBuilder b = pk.monitor().evaluationInterval(INTERVAL).flapWindow(Duration.ofSeconds(2));
    for (AlertSink s : sinks) {
      b.sink(s);
    }
    return b.start();
  }

  /** The alert of {@code key} the monitor holds now. */
  static Alert alert(Monitor monitor, String key) {
    return monitor.alerts().stream().filter(a -> a.key().equals(key)).findFirst().orElseThrow();
  }

  /**
   * Waits until the stored alert of {@code key} records that {@code sink} confirmed {@code state}
   * (a confirmation is written at the evaluation after the delivery).
   */
  static void awaitConfirmed(Pipekeeper pk, String key, String sink, AlertState state) {
    await()
        .atMost(BOUND)
        .until(
            () ->
                pk.alerts().active().stream()
                    .anyMatch(a -> a.key().equals(key) && a.notified().get(sink) == state));
  }

  /** Waits until {@code monitor} has run {@code more} evaluations after now. */
  static void evaluations(Monitor monitor, int more) {
    Instant from = Instant.now();
    long[] count = {0};
    Instant[] last = {null};
    await()
        .atMost(BOUND)
        .until(
            () -> {
              Evaluation e = monitor.lastEvaluation().orElse(null);
              if (e != null && e.at().isAfter(from) && !e.at().equals(last[0])) {
                last[0] = e.at();
                count[0]++;
              }
              return count[0] >= more;
            });
  }

  @Test
  void aMemberThatDiesFiresMemberDownOnceAndItsReturnResolvesIt(TestCluster cluster)
      throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper steady = Clients.connect(cluster, "m1");
        FaultyClient doomed = FaultyClient.connect(cluster, "m2")) {
      setRules(pk, "[{\"name\": \"down\", \"kind\": \"member-down\", \"for\": \"1s\"}]");
      steady.membership().join("ingest", MemberInfo.defaults());
      doomed.pk().membership().join("ingest", MemberInfo.defaults());
      try (Monitor monitor = monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        evaluations(monitor, 2);
        doomed.blackhole(); // its session expires on the server: the node goes, nobody drained it
        String key = "down/ingest/m2";
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        Alert fired =
            pk.alerts().active().stream()
                .filter(a -> a.key().equals(key))
                .findFirst()
                .orElseThrow();
        assertThat(fired.state()).isEqualTo(AlertState.FIRING);
        assertThat(fired.labels()).containsEntry("group", "ingest").containsEntry("member", "m2");
        assertThat(fired.summary()).contains("m2").contains("without draining");
        assertThat(Duration.between(fired.pendingSince(), fired.firedAt()))
            .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        awaitConfirmed(pk, key, "test", AlertState.FIRING);
        try (Pipekeeper back = Clients.connect(cluster, "m2")) {
          back.membership().join("ingest", MemberInfo.defaults());
          await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
          evaluations(monitor, 5);
          assertThat(sink.states(key)).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
          assertThat(pk.alerts().history(100))
              .filteredOn(a -> a.key().equals(key))
              .extracting(Alert::state)
              .containsExactly(AlertState.FIRING, AlertState.RESOLVED);
        }
      }
    }
  }

  @Test
  void aMemberThatClosesOrWasDrainedLeavesWithoutAnAlert(TestCluster cluster) throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        FaultyClient drained = FaultyClient.connect(cluster, "m2")) {
      setRules(pk, "[{\"name\": \"down\", \"kind\": \"member-down\"}]");
      Pipekeeper closing = Clients.connect(cluster, "m1");
      closing.membership().join("ingest", MemberInfo.defaults());
      drained.pk().membership().join("ingest", MemberInfo.defaults());
      try (Monitor monitor = monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        evaluations(monitor, 2);
        closing.close(); // a graceful leave, however fast
        pk.assignments("ingest").drain("m2");
        drained.blackhole(); // dies, but an operator had drained it: planned
        await().atMost(BOUND).until(() -> pk.inspector().members("ingest").isEmpty());
        evaluations(monitor, 5);
        assertThat(monitor.alerts()).isEmpty();
        assertThat(sink.delivered()).isEmpty();
      }
    }
  }

  @Test
  void membersThatAllCloseAtOnceLeaveWithoutAnAlert(TestCluster cluster) throws Exception {
    RecordingSink sink = new RecordingSink("test");
    int size = 30;
    java.util.concurrent.ExecutorService closers =
        java.util.concurrent.Executors.newFixedThreadPool(size);
    try (Pipekeeper pk = Clients.connect(cluster, "monitor")) {
      setRules(pk, "[{\"name\": \"down\", \"kind\": \"member-down\"}]");
      List<Pipekeeper> fleet = new java.util.ArrayList<>();
      for (int i = 0; i < size; i++) {
        Pipekeeper member = Clients.connect(cluster, "m" + i);
        member.membership().join("rolling", MemberInfo.defaults());
        fleet.add(member);
      }
      try (Monitor monitor = monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        evaluations(monitor, 2);
        // a whole deployment stopped at once: every leave is recorded, none looks like a death
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> closing = new java.util.ArrayList<>();
        for (Pipekeeper member : fleet) {
          closing.add(
              closers.submit(
                  () -> {
                    go.await();
                    member.close();
                    return null;
                  }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> closed : closing) {
          closed.get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        await().atMost(BOUND).until(() -> pk.inspector().members("rolling").isEmpty());
        evaluations(monitor, 5);
        assertThat(monitor.alerts()).isEmpty();
        assertThat(sink.delivered()).isEmpty();
      }
      // one entry per member: a member's next leave replaces its last one
      String left =
          dev.pipekeeper.core.internal.ZkLayout.root(cluster.cluster()) + "/members-left/rolling";
      try (org.apache.curator.framework.CuratorFramework raw =
          org.apache.curator.framework.CuratorFrameworkFactory.newClient(
              cluster.zkConnect(), new org.apache.curator.retry.RetryOneTime(100))) {
        raw.start();
        assertThat(raw.getChildren().forPath(left)).hasSize(size);
        for (int again = 0; again < 2; again++) {
          try (Pipekeeper member = Clients.connect(cluster, "m0")) {
            member.membership().join("rolling", MemberInfo.defaults());
          }
        }
        assertThat(raw.getChildren().forPath(left))
            .hasSize(size)
            .filteredOn(name -> name.startsWith("m0@"))
            .hasSize(1);
      }
    } finally {
      closers.shutdownNow();
    }
  }

  @Test
  void groupSizeAndNoLeaderFireAndResolve(TestCluster cluster) throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper a = Clients.connect(cluster, "a")) {
      setRules(
          pk,
          "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 2},"
              + " {\"name\": \"leaderless\", \"kind\": \"no-leader\", \"role\": \"jobs.singleton\"}]");
      a.membership().join("jobs", MemberInfo.defaults());
      Leadership first = a.leadership("jobs.singleton").start();
      assertThat(first.awaitLease(BOUND)).isPresent();
      try (Monitor monitor = monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        await()
            .atMost(BOUND)
            .until(() -> sink.states("small/jobs").equals(List.of(AlertState.FIRING)));
        assertThat(sink.keys()).containsExactly("small/jobs");
        first.close(); // nobody leads the role now
        await()
            .atMost(BOUND)
            .until(() -> sink.states("leaderless/jobs.singleton").contains(AlertState.FIRING));
        try (Pipekeeper b = Clients.connect(cluster, "b")) {
          b.membership().join("jobs", MemberInfo.defaults());
          Leadership second = b.leadership("jobs.singleton").start();
          assertThat(second.awaitLease(BOUND)).isPresent();
          await()
              .atMost(BOUND)
              .until(
                  () ->
                      sink.states("small/jobs").contains(AlertState.RESOLVED)
                          && sink.states("leaderless/jobs.singleton")
                              .contains(AlertState.RESOLVED));
          second.close();
        }
      }
    }
  }

  @Test
  void healthRulesFireOnErrorsAndOnNoProgressWithWorkPending(TestCluster cluster) throws Exception {
    RecordingSink sink = new RecordingSink("test");
    AtomicReference<HealthReport> report = new AtomicReference<>(health(0.0, 0, Instant.now()));
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper member = Clients.connect(cluster, "w1")) {
      setRules(
          pk,
          "[{\"name\": \"errors\", \"kind\": \"error-rate\", \"threshold\": 1},"
              + " {\"name\": \"stuck\", \"kind\": \"no-progress\", \"after\": \"2s\"}]");
      member.membership().join("orders", MemberInfo.defaults());
      try (HealthPublication p =
              member.health().publish("orders", Duration.ofMillis(100), report::get);
          Monitor monitor = monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        evaluations(monitor, 2);
        assertThat(monitor.alerts()).isEmpty();
        report.set(health(5.0, 0, Instant.now()));
        await()
            .atMost(BOUND)
            .until(() -> sink.states("errors/orders/w1").contains(AlertState.FIRING));
        report.set(health(0.0, 0, Instant.now()));
        await()
            .atMost(BOUND)
            .until(() -> sink.states("errors/orders/w1").contains(AlertState.RESOLVED));
        report.set(health(0.0, 40, Instant.now().minusSeconds(10))); // lag, no progress for 10 s
        await()
            .atMost(BOUND)
            .until(() -> sink.states("stuck/orders/w1").contains(AlertState.FIRING));
        Alert stuck = alert(monitor, "stuck/orders/w1");
        assertThat(stuck.summary()).contains("40 records pending");
        report.set(health(0.0, 0, Instant.now()));
        await()
            .atMost(BOUND)
            .until(() -> sink.states("stuck/orders/w1").contains(AlertState.RESOLVED));
        p.publishNow();
      }
    }
  }

  private static HealthReport health(double errorsPerSecond, long lag, Instant lastProgress) {
    return new HealthReport(
        "orders",
        "w1",
        "RUNNING",
        10,
        1,
        1,
        errorsPerSecond > 0 ? 50 : 0,
        errorsPerSecond,
        lastProgress,
        lag > 0 ? Map.of("orders-0", lag) : Map.of(),
        Map.of(),
        List.of(),
        Instant.now());
  }

  @Test
  void aMalformedValueWrittenBehindPipekeepersBackFiresConfigDrift(TestCluster cluster)
      throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper member = Clients.connect(cluster, "w1");
        CuratorFramework raw =
            CuratorFrameworkFactory.builder()
                .connectString(cluster.zkConnect())
                .namespace(ZkLayout.namespace(cluster.cluster()))
                .retryPolicy(new RetryOneTime(100))
                .build()) {
      raw.start();
      setRules(pk, "[{\"name\": \"drift\", \"kind\": \"config-drift\", \"for\": \"500ms\"}]");
      Scope scope = Scope.pipeline("orders");
      pk.config().setSchema(scope, "batch.size", JSON.readTree("{\"type\": \"integer\"}"));
      pk.config().set(scope, "batch.size", IntNode.valueOf(10), ChangeOptions.by("test"));
      member.membership().join("orders", MemberInfo.defaults());
      try (ConfigView view = member.config().view("orders", "w1");
          Monitor monitor = monitor(pk, sink)) {
        assertThat(view.get("batch.size", Integer.class)).contains(10);
        await().atMost(BOUND).until(monitor::isLeading);
        evaluations(monitor, 2);
        raw.setData()
            .forPath(
                ZkLayout.configKey(scope.path(), "batch.size"),
                "\"lots\"".getBytes(StandardCharsets.UTF_8));
        String key = "drift/w1/last-known-good";
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        assertThat(view.get("batch.size", Integer.class)).contains(10); // the last good value
        Alert drift = alert(monitor, key);
        assertThat(drift.summary()).contains("batch.size");
        assertThat(drift.labels()).containsEntry("group", "orders");
        pk.config().set(scope, "batch.size", IntNode.valueOf(20), ChangeOptions.by("test"));
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
        assertThat(sink.states(key)).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
      }
    }
  }

  @Test
  void aMemberCutOffFromZooKeeperRunsAnOlderConfigurationUntilItIsBack(TestCluster cluster)
      throws Exception {
    RecordingSink sink = new RecordingSink("test");
    TcpProxy proxy = TcpProxy.start("127.0.0.1", cluster.zookeeper().servers().get(0).clientPort());
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        // a long session: cut off, it keeps its applied record, at the version it last applied
        Pipekeeper member =
            Clients.connect(proxy.address(), cluster.cluster(), "w1", Duration.ofSeconds(30))) {
      setRules(pk, "[{\"name\": \"drift\", \"kind\": \"config-drift\", \"for\": \"500ms\"}]");
      Scope scope = Scope.pipeline("orders");
      pk.config().set(scope, "batch.size", IntNode.valueOf(10), ChangeOptions.by("test"));
      member.membership().join("orders", MemberInfo.defaults());
      try (ConfigView view = member.config().view("orders", "w1");
          Monitor monitor = monitor(pk, sink)) {
        await().atMost(BOUND).until(monitor::isLeading);
        evaluations(monitor, 2);
        assertThat(monitor.alerts()).isEmpty();
        proxy.blackhole();
        pk.config().set(scope, "batch.size", IntNode.valueOf(20), ChangeOptions.by("test"));
        String key = "drift/w1/behind";
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        Alert behind = alert(monitor, key);
        assertThat(behind.summary()).contains("pipeline/orders 1 < 2");
        assertThat(view.get("batch.size", Integer.class)).contains(10);
        proxy.restore(); // back within its session: it reloads and applies version 2
        await()
            .atMost(BOUND)
            .until(() -> view.get("batch.size", Integer.class).equals(java.util.Optional.of(20)));
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
        assertThat(sink.states(key)).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
      }
    } finally {
      proxy.close();
    }
  }

  @Test
  void aNewMonitorCarriesAFiringAlertOnWithoutFiringItAgain(TestCluster cluster) throws Exception {
    RecordingSink firstSink = new RecordingSink("test");
    RecordingSink secondSink = new RecordingSink("test");
    try (Pipekeeper one = Clients.connect(cluster, "monitor-1");
        Pipekeeper two = Clients.connect(cluster, "monitor-2")) {
      setRules(
          one,
          "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 1}]");
      Monitor first = monitor(one, firstSink);
      await().atMost(BOUND).until(first::isLeading);
      try (Monitor second = monitor(two, secondSink)) {
        String key = "small/jobs";
        await().atMost(BOUND).until(() -> firstSink.states(key).contains(AlertState.FIRING));
        awaitConfirmed(one, key, "test", AlertState.FIRING);
        Alert before = one.alerts().active().get(0);
        first.close(); // the leader goes mid-alert
        await().atMost(BOUND).until(second::isLeading);
        evaluations(second, 5);
        Alert after = two.alerts().active().get(0);
        assertThat(after.state()).isEqualTo(AlertState.FIRING);
        assertThat(after.firedAt()).isEqualTo(before.firedAt());
        assertThat(second.lastEvaluation().orElseThrow().epoch()).isGreaterThan(before.epoch());
        assertThat(secondSink.delivered()).isEmpty(); // not fired again
        try (Pipekeeper member = Clients.connect(cluster, "j1")) {
          member.membership().join("jobs", MemberInfo.defaults());
          await().atMost(BOUND).until(() -> secondSink.states(key).contains(AlertState.RESOLVED));
          evaluations(second, 5);
          assertThat(firstSink.states(key)).containsExactly(AlertState.FIRING);
          assertThat(secondSink.states(key)).containsExactly(AlertState.RESOLVED);
        }
      }
    }
  }

  @Test
  void aFailingWebhookIsVisibleNeverHoldsUpTheOthersAndGetsItsAlertOnceItRecovers(
      TestCluster cluster) throws Exception {
    AtomicInteger status = new AtomicInteger(500);
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          try (exchange) {
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int answer = status.get();
            if (answer == 200) {
              received.add(body);
            }
            exchange.sendResponseHeaders(answer, -1);
          }
        });
    server.start();
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor")) {
      setRules(
          pk,
          "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 1},"
              + " {\"name\": \"delivery\", \"kind\": \"delivery\", \"for\": \"500ms\"}]");
      URI hook = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
      try (Monitor monitor =
          pk.monitor()
              .evaluationInterval(INTERVAL)
              .deliveryBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
              .sink(AlertSinks.webhook(hook))
              .sink(sink)
              .start()) {
        // the other sink has the alert at once; the webhook's failure is an alert of its own
        await().atMost(BOUND).until(() -> sink.states("small/jobs").contains(AlertState.FIRING));
        await()
            .atMost(BOUND)
            .until(() -> sink.states("delivery/webhook").contains(AlertState.FIRING));
        SinkStatus failing =
            monitor.sinks().stream()
                .filter(s -> s.sink().equals("webhook"))
                .findFirst()
                .orElseThrow();
        assertThat(failing.failing()).isTrue();
        assertThat(failing.lastError()).hasValueSatisfying(e -> assertThat(e).contains("500"));
        assertThat(received).isEmpty();
        status.set(200); // the webhook recovers: what it missed arrives, once each
        await()
            .atMost(BOUND)
            .until(() -> sink.states("delivery/webhook").contains(AlertState.RESOLVED));
        awaitConfirmed(pk, "small/jobs", "webhook", AlertState.FIRING);
        evaluations(monitor, 5);
        List<String> smallFiring =
            received.stream()
                .filter(
                    b ->
                        b.contains("\"alertname\":\"small\"")
                            && b.contains("\"status\":\"firing\""))
                .toList();
        assertThat(smallFiring).hasSize(1);
        assertThat(JSON.readTree(smallFiring.get(0)).get("version").asText()).isEqualTo("4");
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void badSettingsAreRefused(TestCluster cluster) {
    try (Pipekeeper pk = Clients.connect(cluster, "monitor")) {
      assertThatThrownBy(() -> pk.monitor().evaluationInterval(Duration.ofMillis(10)).start())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("at least 100 ms");
      assertThatThrownBy(
              () -> pk.monitor().sink(new RecordingSink("x")).sink(new RecordingSink("x")).start())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("two alert sinks are named 'x'");
      assertThatThrownBy(() -> pk.monitor().sink(new RecordingSink("log")).start())
          .isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(
              () -> pk.monitor().probe(new SilentProbe("k")).probe(new SilentProbe("k")).start())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("two monitor probes are of the system 'k'");
      assertThat(pk.inspector().roles()).as("nothing contended").isEmpty();
    }
  }

  /** A probe of a system that is always reachable and has no offsets. */
  private record SilentProbe(String system) implements MonitorProbe {
    @Override
    public ProbeReport probe(Set<String> groups) {
      return new ProbeReport(system, true, Optional.empty(), Map.of(), Instant.EPOCH);
    }
  }
}
