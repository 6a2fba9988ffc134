package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code pipekeeper alerts} against a monitor running in the test. */
@ExtendWith(EmbeddedClusterExtension.class)
class AlertsCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RULES =
      "[{\"name\": \"small\", \"kind\": \"group-size\", \"group\": \"jobs\", \"min\": 2}]";

  @Test
  void showsAFiringAlertItsTransitionAndTheRules(TestCluster cluster) throws Exception {
    CliRun none = CliRun.against(cluster, "alerts");
    assertThat(none.exitCode).isZero();
    assertThat(none.out().lines())
        .containsExactly("No alerts.", "No monitor is running: alerts are not being evaluated.");
    CliRun defaults = CliRun.against(cluster, "alerts", "--rules");
    assertThat(defaults.exitCode).isZero();
    assertThat(defaults.out())
        .containsPattern("member-down +member-down +critical +10s +0s +all")
        .containsPattern("zookeeper +zookeeper +critical .* maxOutstanding=1000 maxLatency=1s")
        .contains(Rules.KEY + " is unset: the " + Rules.defaults().size() + " rules by default");
    assertThat(CliRun.against(cluster, "alerts", "--history").out())
        .isEqualTo("No transitions recorded." + System.lineSeparator());

    try (Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(cluster.zkConnect())
                .cluster(cluster.cluster())
                .identity("monitor-1")
                .build();
        Pipekeeper member =
            Pipekeeper.builder()
                .zookeeper(cluster.zkConnect())
                .cluster(cluster.cluster())
                .identity("j1")
                .build()) {
      pk.config().set(Scope.global(), Rules.KEY, JSON.readTree(RULES), ChangeOptions.by("test"));
      member.membership().join("jobs", MemberInfo.defaults());
      try (Monitor monitor =
          pk.monitor().evaluationInterval(Duration.ofMillis(200)).logSink(true).start()) {
        // Once the log sink's delivery is confirmed in ZooKeeper the stored alert stays as it is.
        await()
            .atMost(BOUND)
            .until(
                () ->
                    pk.alerts().active().stream()
                        .anyMatch(
                            a ->
                                a.state() == AlertState.FIRING
                                    && a.notified().get("log") == AlertState.FIRING));
        Alert stored = pk.alerts().active().get(0);

        CliRun table = CliRun.against(cluster, "alerts");
        assertThat(table.exitCode).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).matches("KEY +STATE +SEVERITY +SINCE +SUMMARY");
        assertThat(lines.get(1))
            .matches("small/jobs +FIRING +warning +\\d+s ago +.*jobs.*")
            .endsWith(stored.summary());
        assertThat(lines.subList(2, lines.size()))
            .containsExactly("1 firing.", "Monitor: monitor-1 (epoch " + stored.epoch() + ").");

        CliRun json = CliRun.against(cluster, "alerts", "--json");
        JsonNode array = JSON.readTree(json.out());
        assertThat(array.isArray()).isTrue();
        assertThat(array).hasSize(1);
        Alert parsed =
            AlertCodec.fromJson(array.get(0).toString().getBytes(StandardCharsets.UTF_8));
        assertThat(parsed).isEqualTo(stored);

        assertThat(CliRun.against(cluster, "alerts", "--state", "pending").out())
            .startsWith("No pending alerts.");
        assertThat(CliRun.against(cluster, "alerts", "--state", "FIRING").out())
            .contains("small/jobs", "1 firing.");

        CliRun history = CliRun.against(cluster, "alerts", "--history");
        assertThat(history.exitCode).isZero();
        assertThat(history.out())
            .containsPattern("TIME +STATE +KEY +SUMMARY")
            .containsPattern(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +FIRING +small/jobs +.*jobs")
            .contains("1 transition.");
        JsonNode transitions =
            JSON.readTree(CliRun.against(cluster, "alerts", "--history", "--json").out());
        assertThat(transitions).hasSize(1);
        assertThat(
                AlertCodec.fromJson(transitions.get(0).toString().getBytes(StandardCharsets.UTF_8))
                    .state())
            .isEqualTo(AlertState.FIRING);
        assertThat(CliRun.against(cluster, "alerts", "--history", "--state", "resolved").out())
            .startsWith("No resolved transitions recorded.");

        CliRun rules = CliRun.against(cluster, "alerts", "--rules");
        assertThat(rules.exitCode).isZero();
        // the stored rule adds to the defaults
        int defaultCount = Rules.defaults().size();
        assertThat(rules.out())
            .containsPattern("NAME +KIND +SEVERITY +FOR +KEEP FIRING +SUBJECT +SETTINGS +FROM")
            .containsPattern("small +group-size +warning +0s +0s +group jobs +min=2 +" + Rules.KEY)
            .containsPattern("member-down +member-down +critical +10s +0s +all +- +default")
            .containsPattern(
                (defaultCount + 1)
                    + " rules in force: "
                    + defaultCount
                    + " by default, 1 from "
                    + Rules.KEY
                    + " \\(version \\d+, modified .*Z\\)\\.");
        JsonNode rulesJson =
            JSON.readTree(CliRun.against(cluster, "alerts", "--rules", "--json").out());
        assertThat(rulesJson.get("source").asText()).isEqualTo(Rules.KEY);
        List<Rule> expected = new ArrayList<>(Rules.defaults());
        expected.addAll(Rules.parse(RULES));
        assertThat(Rules.parse(rulesJson.get("rules"))).isEqualTo(expected);
        assertThat(monitor.isLeading()).isTrue();

        // the rule goes, a default is switched off: the alert ends saying so, not as a recovery
        pk.config()
            .set(
                Scope.global(),
                Rules.KEY,
                JSON.readTree("[{\"name\": \"no-leader\", \"enabled\": false}]"),
                ChangeOptions.by("test"));
        await()
            .atMost(BOUND)
            .until(
                () ->
                    pk.alerts().history(10).stream()
                        .anyMatch(a -> a.state() == AlertState.RESOLVED));
        assertThat(CliRun.against(cluster, "alerts", "--history").out())
            .containsPattern("Z +RESOLVED \\(rule removed\\) +small/jobs +.*jobs");
        JsonNode ended =
            JSON.readTree(CliRun.against(cluster, "alerts", "--history", "--json").out()).get(1);
        assertThat(ended.get("resolution").asText()).isEqualTo("RULE_REMOVED");
        CliRun switchedOff = CliRun.against(cluster, "alerts", "--rules");
        assertThat(switchedOff.out())
            .doesNotContainPattern("(?m)^no-leader ")
            .contains("Defaults switched off: no-leader.")
            .contains(
                (defaultCount - 1) + " rules in force: " + (defaultCount - 1) + " by default");
        JsonNode offJson =
            JSON.readTree(CliRun.against(cluster, "alerts", "--rules", "--json").out());
        assertThat(offJson.get("disabledDefaults").get(0).asText()).isEqualTo("no-leader");
      }
    }
  }

  @Test
  void badInputGetsOneLineAndExit2BeforeConnecting() {
    // Nothing listens there: a command that connected first would exit 1, not 2.
    String zk = "127.0.0.1:" + CliTest.freePort();
    assertUsage(
        CliRun.run("alerts", "--history", "--limit", "0", "--zk", zk),
        "pipekeeper: --limit must be at least 1, not 0");
    assertUsage(
        CliRun.run("alerts", "--state", "burning", "--zk", zk),
        "pipekeeper: --state must be firing, pending or resolved, not 'burning'");
    assertUsage(
        CliRun.run("alerts", "--limit", "5", "--zk", zk), "pipekeeper: --limit is for --history");
    assertUsage(
        CliRun.run("alerts", "--history", "--rules", "--zk", zk),
        "pipekeeper: --history and --rules cannot be used together");
    assertUsage(
        CliRun.run("alerts", "--rules", "--state", "firing", "--zk", zk),
        "pipekeeper: --state is for alerts, not --rules");
  }

  @Test
  void unreachableZooKeeperIsOneLineAndExit1() {
    String zk = "127.0.0.1:" + CliTest.freePort();
    CliRun run = CliRun.run("alerts", "--zk", zk, "--connect-timeout", "500ms");
    assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err().lines()).hasSize(1).allMatch(l -> l.startsWith("pipekeeper: "));
  }

  private static void assertUsage(CliRun run, String line) {
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().strip()).isEqualTo(line);
  }
}
