package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pipekeeper.app.Main;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.TopicReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code pipekeeper monitor}: in a child JVM stopped by SIGTERM, and in-process. */
@ExtendWith(EmbeddedClusterExtension.class)
class MonitorCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RULES =
      "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 2}]";

  /** A webhook receiver: what it was sent, with the header the monitor was told to add. */
  private record Request(String token, JsonNode body) {}

  @Test
  void takesOverFiresToEverySinkAndReleasesTheRoleOnSigterm(TestCluster cluster) throws Exception {
    ConcurrentLinkedQueue<Request> received = new ConcurrentLinkedQueue<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          try (exchange;
              InputStream body = exchange.getRequestBody()) {
            received.add(
                new Request(
                    exchange.getRequestHeaders().getFirst("X-Token"),
                    JSON.readTree(body.readAllBytes())));
            exchange.sendResponseHeaders(200, -1);
          } catch (IOException e) {
            exchange.sendResponseHeaders(500, -1);
          }
        });
    receiver.start();
    String topic = cluster.topic("alerts");
    try (Pipekeeper admin = connect(cluster, "admin");
        Pipekeeper standing = connect(cluster, "monitor-0")) {
      Monitor first = standing.monitor().evaluationInterval(Duration.ofMillis(200)).start();
      await().atMost(BOUND).until(first::isLeading);
      try (ChildJvm child =
          ChildJvm.start(
              Main.class,
              List.of(
                  "--zk",
                  cluster.zkConnect(),
                  "--cluster",
                  cluster.cluster(),
                  "--bootstrap-servers",
                  cluster.bootstrapServers(),
                  "monitor",
                  "--id",
                  "monitor-1",
                  "--interval",
                  "200ms",
                  "--webhook",
                  "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                  "--webhook-header",
                  "X-Token=s3cret",
                  "--alert-topic",
                  topic,
                  "--metrics-port",
                  "0",
                  // long enough that only a graceful close can explain a quick release
                  "--session-timeout",
                  "60s"))) {
        assertThat(child.awaitLine("monitor: monitor-1 standing by:", BOUND))
            .isEqualTo(
                "monitor-0 is the elected monitor; sinks console, webhook, kafka; probing Kafka"
                    + " at "
                    + cluster.bootstrapServers());
        String metrics = child.awaitLine("monitor: metrics at", BOUND);

        first.close(); // the standby takes over at once
        assertThat(child.awaitLine("monitor: monitor-1 elected", BOUND))
            .matches("\\(epoch \\d+\\), evaluating the rules every 200ms");

        admin
            .config()
            .set(Scope.global(), Rules.KEY, JSON.readTree(RULES), ChangeOptions.by("test"));
        admin.membership().join("jobs", MemberInfo.defaults());
        assertThat(child.awaitLine("FIRING warning small/jobs:", BOUND)).contains("jobs");

        await().atMost(BOUND).until(() -> !received.isEmpty());
        Request hook = received.peek();
        assertThat(hook.token()).isEqualTo("s3cret");
        assertThat(hook.body().get("version").asText()).isEqualTo("4");
        assertThat(hook.body().get("status").asText()).isEqualTo("firing");
        JsonNode labels = hook.body().get("alerts").get(0).get("labels");
        assertThat(labels.get("alertname").asText()).isEqualTo("small");
        assertThat(labels.get("group").asText()).isEqualTo("jobs");

        List<ConsumerRecord<String, String>> records =
            await()
                .atMost(BOUND)
                .ignoreExceptions()
                .until(
                    () -> TopicReader.readCommitted(cluster.bootstrapServers(), topic),
                    r -> !r.isEmpty());
        assertThat(records.get(0).key()).isEqualTo("small/jobs");
        Alert onTopic =
            AlertCodec.fromJson(records.get(0).value().getBytes(StandardCharsets.UTF_8));
        assertThat(onTopic.state()).isEqualTo(AlertState.FIRING);

        assertThat(PrometheusText.scrape(URI.create(metrics)))
            .anyMatch(
                s ->
                    s.is("pipekeeper_monitor_leader", Map.of("identity", "monitor-1"))
                        && s.value() == 1);

        int exit = child.terminate(BOUND);

        assertThat(exit).as("exited by itself on SIGTERM (128 + 15), as run does").isEqualTo(143);
        assertThat(child.lines())
            .contains("monitor: stopping monitor-1...")
            .anyMatch(
                l ->
                    l.matches(
                        "monitor: monitor-1 stopped \\(transitions delivered: console 1,"
                            + " webhook 1, kafka 1\\)"));
        Optional<RoleInfo> role =
            admin.inspector().roles().stream()
                .filter(r -> r.role().equals(Monitor.ROLE))
                .findFirst();
        assertThat(role).isPresent();
        assertThat(role.get().contenders())
            .as("released the role at once, not after its 60 s session")
            .isEmpty();
        assertThat(role.get().leader()).isEmpty();
      }
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void inProcessItPrintsEachTransitionAndStopsWithExit0(TestCluster cluster) throws Exception {
    CliRun run = new CliRun(Map.of());
    Thread command =
        new Thread(
            () ->
                run.execute(
                    "monitor",
                    "--zk",
                    cluster.zkConnect(),
                    "--cluster",
                    cluster.cluster(),
                    "--no-kafka",
                    "--interval",
                    "200ms",
                    "--id",
                    "cli-monitor"),
            "monitor-command");
    command.start();
    try (Pipekeeper admin = connect(cluster, "admin");
        Pipekeeper second = connect(cluster, "j2")) {
      await().atMost(BOUND).until(() -> run.out().contains("monitor: cli-monitor elected"));
      assertThat(run.out()).contains("; sinks console; Kafka left out");
      admin.config().set(Scope.global(), Rules.KEY, JSON.readTree(RULES), ChangeOptions.by("test"));
      admin.membership().join("jobs", MemberInfo.defaults());
      await().atMost(BOUND).until(() -> run.out().contains("FIRING warning small/jobs: "));
      second.membership().join("jobs", MemberInfo.defaults());
      await().atMost(BOUND).until(() -> run.out().contains("RESOLVED warning small/jobs: "));
      stop(run, command); // before the members leave, which would fire the rule again
    } finally {
      stop(run, command);
    }
    assertThat(command.isAlive()).isFalse();
    assertThat(run.exitCode).isZero();
    assertThat(run.out().lines())
        .hasSize(5)
        .endsWith(
            "monitor: stopping cli-monitor...",
            "monitor: cli-monitor stopped (transitions delivered: console 2)");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void badInputGetsOneLineAndExit2BeforeConnecting() {
    String zk = "127.0.0.1:" + CliTest.freePort();
    assertUsage(
        monitor(zk, "--interval", "10ms"),
        "pipekeeper: --interval must be at least 100ms, not 10ms");
    assertUsage(
        monitor(zk, "--webhook", "http://exa mple/hook?token=t0ps3cret"),
        "pipekeeper: --webhook is not a URL: Illegal character in authority at character 8");
    assertUsage(
        monitor(zk, "--webhook", "ftp://example/hook"),
        "pipekeeper: webhook URL 'ftp://example/hook' is not an absolute http or https URL");
    assertUsage(
        monitor(zk, "--webhook", "http://example/hook", "--webhook-header", "Authorization"),
        "pipekeeper: --webhook-header number 1 is not NAME=VALUE");
    assertUsage(
        monitor(zk, "--webhook-header", "A=b"),
        "pipekeeper: --webhook-header and --webhook-timeout need --webhook");
    assertUsage(
        monitor(zk, "--alert-topic", "alerts", "--no-kafka"),
        "pipekeeper: --alert-topic writes to Kafka, so not with --no-kafka");
    assertUsage(
        monitor(zk, "--metrics-port", "70000"),
        "pipekeeper: --metrics-port must be between 0 and 65535, not 70000");
    CliRun badId = monitor(zk, "--id", "a/b");
    assertThat(badId.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(badId.err().lines()).hasSize(1).allMatch(l -> l.contains("'a/b' is not valid"));
    CliRun malformed = monitor(zk, "--interval", "soon");
    assertThat(malformed.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(malformed.err()).contains("'soon' is not a duration");
    assertThat(malformed.shutdown.isFinished()).isTrue();
  }

  @Test
  void unreachableZooKeeperIsOneLineAndExit1() {
    String zk = "127.0.0.1:" + CliTest.freePort();
    CliRun run = CliRun.run("monitor", "--zk", zk, "--connect-timeout", "500ms", "--no-kafka");
    assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err().lines())
        .hasSize(1)
        .allMatch(l -> l.startsWith("pipekeeper: ZooKeeper not reachable at " + zk + ": "));
    assertThat(run.out()).isEmpty();
  }

  @Test
  void helpDescribesTheOptions() {
    CliRun help = CliRun.run("monitor", "--help");
    assertThat(help.exitCode).isZero();
    assertThat(help.out())
        .contains("Usage: pipekeeper monitor", "--interval=DURATION", "--webhook=URL")
        .contains("--webhook-header=NAME=VALUE", "--alert-topic=TOPIC", "--no-kafka")
        .contains("--metrics-port=PORT", "--id=ID", "--session-timeout=DURATION");
  }

  private static void stop(CliRun run, Thread command) throws InterruptedException {
    run.shutdown.trigger();
    command.join(BOUND.toMillis());
  }

  private static CliRun monitor(String zk, String... options) {
    List<String> args = new java.util.ArrayList<>(List.of("monitor", "--zk", zk));
    args.addAll(List.of(options));
    return CliRun.run(args.toArray(String[]::new));
  }

  private static Pipekeeper connect(TestCluster cluster, String identity) {
    return Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(identity)
        .build();
  }

  private static void assertUsage(CliRun run, String line) {
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().strip()).isEqualTo(line);
  }
}
