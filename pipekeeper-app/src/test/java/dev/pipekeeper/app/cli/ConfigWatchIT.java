package dev.pipekeeper.app.cli;

import static dev.pipekeeper.app.cli.ConfigCommandsIT.JSON;
import static dev.pipekeeper.app.cli.ConfigCommandsIT.SECRET;
import static dev.pipekeeper.app.cli.ConfigCommandsIT.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code config watch} and {@code config applied}: the live side of configuration. */
@ExtendWith(EmbeddedClusterExtension.class)
class ConfigWatchIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  static final Scope GLOBAL = Scope.global();
  static final ChangeOptions OPS = ChangeOptions.by("ops");

  /** A {@code config watch} running on its own thread until its signal. */
  static final class Watch {
    final CliRun run = new CliRun(Map.of());
    final Thread thread;

    Watch(TestCluster cluster, String... args) {
      List<String> all = new ArrayList<>(List.of("config", "watch"));
      all.addAll(List.of(args));
      all.addAll(List.of("--zk", cluster.zkConnect(), "--cluster", cluster.cluster()));
      thread = new Thread(() -> run.execute(all.toArray(String[]::new)), "config-watch");
      thread.start();
    }

    List<String> lines() {
      return run.out().lines().toList();
    }

    /** Stops it as Ctrl-C would, and waits (bounded) until it has. */
    void stop() throws InterruptedException {
      run.shutdown.triggerAndWait();
      thread.join(BOUND.toMillis());
    }
  }

  @Test
  void printsEachChangeMadeByAnotherClientAndStopsOnTheSignal(TestCluster cluster)
      throws Exception {
    try (Pipekeeper other = connect(cluster)) {
      other.config().setSchema(GLOBAL, "db.password", JSON.readTree("{\"writeOnly\": true}"));
      other.config().set(GLOBAL, "threshold", JSON.readTree("0.5"), OPS);
      Watch watch = new Watch(cluster);
      try {
        await().atMost(BOUND).until(() -> watch.lines().size() == 1);
        assertThat(watch.lines().get(0))
            .isEqualTo("Watching scope global at global=1 (1 key). Press Ctrl-C to stop.");

        other.config().set(GLOBAL, "threshold", JSON.readTree("0.7"), OPS);
        await().atMost(BOUND).until(() -> watch.lines().size() == 2);
        assertThat(watch.lines().get(1)).matches("\\S+Z  global=2  threshold: 0\\.5 -> 0\\.7");

        Map<String, JsonNode> batch = new HashMap<>();
        batch.put("mode", JSON.readTree("\"fast\""));
        batch.put("db.password", JSON.readTree("\"" + SECRET + "\""));
        batch.put("threshold", null);
        other.config().apply(GLOBAL, batch, OPS);
        await().atMost(BOUND).until(() -> watch.lines().size() == 3);
        assertThat(watch.lines().get(2))
            .as("one line per atomic change")
            .matches(
                "\\S+Z  global=3  db\\.password: \\(unset\\) -> \"\\*\\*\\*\\*\\*\\*\"; "
                    + "mode: \\(unset\\) -> \"fast\"; threshold: 0\\.7 -> \\(unset\\)");
      } finally {
        watch.stop();
      }
      assertThat(watch.thread.isAlive()).isFalse();
      assertThat(watch.run.exitCode).isZero();
      assertThat(watch.run.shutdown.isFinished()).isTrue();
      assertThat(watch.run.err()).isEmpty();
      assertThat(watch.run.out()).doesNotContain(SECRET);
    }
  }

  @Test
  void followsAMembersResolvedViewAsJsonLinesWithoutActingAsTheMember(TestCluster cluster)
      throws Exception {
    try (Pipekeeper other = connect(cluster)) {
      other.config().set(GLOBAL, "threshold", JSON.readTree("0.5"), OPS);
      other.config().set(Scope.pipeline("p"), "threshold", JSON.readTree("0.6"), OPS);
      other.config().setSchema(GLOBAL, "token", JSON.readTree("{\"writeOnly\": true}"));
      Watch watch = new Watch(cluster, "--pipeline", "p", "--member", "m-1", "--json");
      try {
        await().atMost(BOUND).until(() -> watch.run.err().contains("Press Ctrl-C to stop."));
        assertThat(watch.run.err().strip())
            .isEqualTo(
                "Watching member m-1 of pipeline p at global=1 pipeline/p=1 member/m-1=0 (1 key)."
                    + " Press Ctrl-C to stop.");
        assertThat(watch.run.out()).isEmpty();

        other.config().set(Scope.member("m-1"), "threshold", JSON.readTree("0.9"), OPS);
        await().atMost(BOUND).until(() -> watch.lines().size() == 1);
        JsonNode first = JSON.readTree(watch.lines().get(0));
        assertThat(first.path("at").asText()).endsWith("Z");
        assertThat(first.path("versions"))
            .isEqualTo(JSON.readTree("{\"global\":1,\"pipeline/p\":1,\"member/m-1\":1}"));
        assertThat(first.path("changes"))
            .isEqualTo(JSON.readTree("{\"threshold\":{\"old\":0.6,\"new\":0.9,\"secret\":false}}"));

        other.config().set(Scope.member("m-1"), "token", JSON.readTree("\"" + SECRET + "\""), OPS);
        await().atMost(BOUND).until(() -> watch.lines().size() == 2);
        JsonNode second = JSON.readTree(watch.lines().get(1));
        assertThat(second.path("changes").path("token"))
            .isEqualTo(JSON.readTree("{\"old\":null,\"new\":\"******\",\"secret\":true}"));
        assertThat(second.path("changes").path("token").path("old")).isEqualTo(NullNode.instance);

        assertThat(CliRun.against(cluster, "config", "applied").out().strip())
            .as("the CLI does not acknowledge in the member's name")
            .isEqualTo("No member has a live config view.");
      } finally {
        watch.stop();
      }
      assertThat(watch.run.exitCode).isZero();
      assertThat(watch.run.out()).doesNotContain(SECRET);
      assertThat(watch.run.err()).doesNotContain(SECRET);
    }
  }

  @Test
  void refusesContradictoryOptionsWithExit2(TestCluster cluster) {
    String[][] cases = {
      {"--scope", "pipeline/p", "--pipeline", "p"},
      {"--member", "m-1"},
      {"--scope", "team/x"},
      {"--pipeline", "a b"}
    };
    String[] messages = {
      "give either --scope or --pipeline and --member, not both",
      "--member needs --pipeline",
      "scope 'team/x' is not valid",
      "pipeline name 'a b' is not valid"
    };
    for (int i = 0; i < cases.length; i++) {
      List<String> args = new ArrayList<>(List.of("config", "watch"));
      args.addAll(List.of(cases[i]));
      CliRun run = CliRun.against(cluster, args.toArray(String[]::new));
      assertThat(run.exitCode).as(String.join(" ", cases[i])).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).as(String.join(" ", cases[i])).contains(messages[i]);
      assertThat(run.shutdown.isFinished()).isTrue();
    }
  }

  @Test
  void appliedShowsWhatEachMemberRunsWithAndWhoIsBehind(TestCluster cluster) throws Exception {
    assertThat(CliRun.against(cluster, "config", "applied").out().strip())
        .isEqualTo("No member has a live config view.");
    try (Pipekeeper writer = connect(cluster);
        Pipekeeper member = connect(cluster);
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      writer.config().set(GLOBAL, "k", JSON.readTree("1"), OPS);
      writer.config().set(GLOBAL, "k", JSON.readTree("2"), OPS);
      writer.config().set(Scope.pipeline("p"), "k", JSON.readTree("3"), OPS);
      // A member stuck at global version 1 that keeps a last known good value.
      raw.create()
          .creatingParentsIfNeeded()
          .forPath(
              ZkLayout.root(cluster.cluster()) + ZkLayout.configApplied("m-0"),
              ("{\"member\":\"m-0\",\"versions\":{\"global\":1},"
                      + "\"lastKnownGood\":[\"global k\"],\"at\":\"2025-01-02T03:04:05Z\"}")
                  .getBytes(StandardCharsets.UTF_8));
      try (ConfigView view = member.config().view("p", "m-1")) {
        await()
            .atMost(BOUND)
            .until(() -> CliRun.against(cluster, "config", "applied").out().contains("m-1"));
        CliRun applied = CliRun.against(cluster, "config", "applied");
        assertThat(applied.exitCode).isZero();
        List<String> lines = applied.out().lines().toList();
        assertThat(lines.get(0)).matches("MEMBER\\s+SCOPE VERSIONS\\s+LAST-KNOWN-GOOD KEYS\\s+AT");
        assertThat(lines.get(1))
            .matches("m-0\\s+global=1 \\(now 2\\)\\s+global k\\s+2025-01-02T03:04:05Z");
        assertThat(lines.get(2))
            .matches("m-1\\s+global=2, member/m-1=0, pipeline/p=1\\s+-\\s+\\S+Z");
        assertThat(lines.get(3)).isEqualTo("1 member is behind the current configuration.");

        JsonNode json = JSON.readTree(CliRun.against(cluster, "config", "applied", "--json").out());
        assertThat(json).hasSize(2);
        assertThat(json.get(0).path("member").asText()).isEqualTo("m-0");
        assertThat(json.get(0).path("behind").asBoolean()).isTrue();
        assertThat(json.get(0).path("currentVersions").path("global").asInt()).isEqualTo(2);
        assertThat(json.get(0).path("lastKnownGood").get(0).asText()).isEqualTo("global k");
        assertThat(json.get(1).path("versions"))
            .isEqualTo(JSON.readTree("{\"global\":2,\"member/m-1\":0,\"pipeline/p\":1}"));
        assertThat(json.get(1).path("behind").asBoolean()).isFalse();
        assertThat(view.values()).containsKey("k");
      }
    }
  }
}
