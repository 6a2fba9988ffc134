package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.embedded.junit.Seeds;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The command line itself: help, version, usage errors and unreachable servers. */
class CliTest {

  @Test
  void helpListsTheCommandsAndGlobalOptions() {
    CliRun run = CliRun.run("--help");
    assertThat(run.exitCode).isZero();
    assertThat(run.out())
        .contains("local", "status", "--zk", "--bootstrap-servers", "--cluster", "PIPEKEEPER_ZK");
  }

  @Test
  void everyCommandHasHelpAndVersion() {
    String[] commands = {
      "local",
      "status",
      "members",
      "leaders",
      "locks",
      "config",
      "config get",
      "config set",
      "config apply",
      "config delete",
      "config list",
      "config history",
      "config diff",
      "config rollback",
      "config watch",
      "config schema",
      "config schema get",
      "config schema set",
      "config schema delete",
      "config applied",
      "units",
      "units list",
      "units add",
      "units remove",
      "units pin",
      "units unpin",
      "alerts",
      "monitor",
      "console",
      "kafka-acls"
    };
    for (String command : commands) {
      String[] words = command.split(" ");
      CliRun help = CliRun.run(append(words, "--help"));
      assertThat(help.exitCode).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: pipekeeper " + command, "--zk");
      CliRun version = CliRun.run(append(words, "--version"));
      assertThat(version.exitCode).as(command).isZero();
      assertThat(version.out()).as(command).startsWith("pipekeeper ").doesNotContain("unknown");
    }
  }

  @Test
  void configHelpListsItsSubcommandsAndTheScopeOption() {
    CliRun config = CliRun.run("config", "--help");
    assertThat(config.out())
        .contains(
            "get",
            "set",
            "apply",
            "delete",
            "list",
            "history",
            "diff",
            "rollback",
            "watch",
            "schema",
            "applied");
    CliRun set = CliRun.run("config", "set", "--help");
    assertThat(set.out())
        .contains("--scope=SCOPE", "global, pipeline/NAME or member/ID", "--expect-version=N")
        .contains("--who=NAME", "--comment=TEXT", "KEY", "VALUE");
  }

  @Test
  void aCommandThatHasReturnedLeavesNothingForTheShutdownToWaitFor() {
    CliRun help = CliRun.run("--help");
    assertThat(help.shutdown.isFinished()).isTrue();
    CliRun refused = CliRun.run("config", "get", "Bad Key");
    assertThat(refused.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.shutdown.isFinished()).isTrue();
  }

  @Test
  void configInputIsRefusedBeforeConnecting() {
    String zk = "127.0.0.1:" + freePort();
    CliRun scope = CliRun.run("config", "list", "--scope", "cluster", "--zk", zk);
    assertThat(scope.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(scope.err().strip())
        .isEqualTo(
            "pipekeeper: scope 'cluster' is not valid; use global, pipeline/NAME or member/ID");
    CliRun value = CliRun.run("config", "set", "mode", "fast", "--zk", zk);
    assertThat(value.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(value.err()).contains("config global mode: the value is not valid JSON");
    assertThat(value.err()).doesNotContain("'fast'");
  }

  @Test
  void aConfigConflictIsAFailureAndBadInputIsUsage() {
    assertThat(ExitCodes.of(new ConfigConflictException("changed"))).isEqualTo(ExitCodes.FAILED);
    assertThat(ExitCodes.of(new InvalidInputException("bad"))).isEqualTo(ExitCodes.USAGE);
    assertThat(ExitCodes.isExpected(new ConfigConflictException("changed"))).isTrue();
  }

  @Test
  void aKafkaClientFailureIsAFailureNamingTheServersOnlyWhereTheCommandTalksToKafka() {
    Throwable reported =
        ExitCodes.reported(new KafkaException("Timed out waiting for a node"), "k1:9092");
    assertThat(ExitCodes.of(reported)).isEqualTo(ExitCodes.FAILED);
    assertThat(reported.getMessage())
        .isEqualTo("Kafka at k1:9092 refused or did not answer: Timed out waiting for a node");
    KafkaException elsewhere = new KafkaException("x");
    assertThat(ExitCodes.reported(elsewhere, null)).isSameAs(elsewhere);
    assertThat(ExitCodes.of(elsewhere)).isEqualTo(ExitCodes.INTERNAL);
  }

  private static String[] append(String[] words, String last) {
    String[] all = Arrays.copyOf(words, words.length + 1);
    all[words.length] = last;
    return all;
  }

  @Test
  void aWrongOptionIsNamedWithAPointerToTheHelpAndExits2() {
    CliRun run = CliRun.run("status", "--no-such-option");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().lines())
        .containsExactly(
            "pipekeeper: Unknown option: '--no-such-option'", "See 'pipekeeper status --help'.");
  }

  @Test
  void aMissingArgumentIsOneLineAndAPointerToTheHelp() {
    CliRun run = CliRun.run("drain");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().lines())
        .containsExactly(
            "pipekeeper: Missing required parameters: 'GROUP', 'MEMBER'",
            "See 'pipekeeper drain --help'.");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void theTopLevelHelpGivesEachCommandAShortCompleteSummary() {
    List<String> lines = CliRun.run("--help").out().lines().toList();
    int start = lines.indexOf("Commands:") + 1;
    assertThat(start).isPositive();
    Map<String, String> summaries = new LinkedHashMap<>();
    Map<String, Integer> lineCounts = new LinkedHashMap<>();
    String command = null;
    for (String line : lines.subList(start, lines.size())) {
      if (line.isBlank()) {
        break;
      }
      if (line.matches("  \\S.*")) {
        String[] parts = line.strip().split("\\s+", 2);
        command = parts[0];
        summaries.put(command, parts[1]);
        lineCounts.put(command, 1);
      } else {
        summaries.merge(command, " " + line.strip(), String::concat);
        lineCounts.merge(command, 1, Integer::sum);
      }
    }
    assertThat(summaries).containsKeys("demo", "local", "status", "units", "run", "monitor");
    summaries.forEach(
        (name, summary) -> {
          assertThat(summary).as(name).endsWith(".");
          assertThat(lineCounts.get(name)).as(name + ": " + summary).isLessThanOrEqualTo(2);
        });
  }

  @Test
  void localAndDemoListOnlyTheOptionsThatApplyToThem() {
    for (String command : new String[] {"local", "demo"}) {
      CliRun help = CliRun.run(command, "--help");
      assertThat(help.exitCode).as(command).isZero();
      assertThat(help.out())
          .as(command)
          .doesNotContain("--zk=", "--bootstrap-servers", "--cluster", "--connect-timeout");
      CliRun refused = CliRun.run(command, "--bootstrap-servers", "127.0.0.1:9092");
      assertThat(refused.exitCode).as(command).isEqualTo(ExitCodes.USAGE);
      assertThat(refused.err()).as(command).contains("Unknown options: '--bootstrap-servers'");
    }
    assertThat(CliRun.run("local", "--help").out()).contains("--zk-port", "--kafka-port");
    assertThat(CliRun.run("status", "--help").out()).contains("--zk=", "--connect-timeout");
  }

  @Test
  void aZeroConnectTimeoutIsRefusedInTheUsersOwnNotation() {
    String zk = "127.0.0.1:" + freePort();
    for (String command : new String[] {"members", "status"}) {
      CliRun run = CliRun.run(command, "--zk", zk, "--connect-timeout", "0s");
      assertThat(run.exitCode).as(command).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err().lines().findFirst().orElseThrow())
          .as(command)
          .isEqualTo(
              "pipekeeper: Invalid value for option '--connect-timeout': '0s' is not"
                  + " positive; write it as 500ms, 5s, 2m or 1h");
    }
    CliRun session = CliRun.run("monitor", "--zk", zk, "--session-timeout", "0");
    assertThat(session.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(session.err()).contains("'0' is not positive").doesNotContain("PT0S");
  }

  @Test
  void aMissingCommandExits2() {
    CliRun run = CliRun.run();
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("Missing command");
  }

  @Test
  void aMalformedAddressIsRefusedWithoutTryingIt() {
    CliRun zk = CliRun.run("status", "--zk", "zk1:notaport");
    assertThat(zk.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(zk.err().strip())
        .isEqualTo("pipekeeper: 'zk1:notaport' has a port that is not a number: 'notaport'");

    CliRun kafka =
        CliRun.run("status", "--zk", "127.0.0.1:" + freePort(), "--bootstrap-servers", "kafka");
    assertThat(kafka.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(kafka.err()).contains("'kafka' has no port");
  }

  @Test
  void aMalformedDurationIsRefused() {
    CliRun run = CliRun.run("status", "--connect-timeout", "soon");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("'soon' is not a duration");
  }

  @Test
  void unreachableServersGiveOneClearLineEachAndExit1() {
    String zk = "127.0.0.1:" + freePort();
    String kafka = "127.0.0.1:" + freePort();
    CliRun run =
        CliRun.run("status", "--zk", zk, "--bootstrap-servers", kafka, "--connect-timeout", "1s");
    assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err().lines())
        .containsExactly(
            "pipekeeper: ZooKeeper not reachable at " + zk + ": connection refused",
            "pipekeeper: Kafka not reachable at " + kafka + ": no answer within 1000 ms");
    assertThat(run.out()).contains("unreachable");
  }

  @Test
  void environmentVariablesGiveTheDefaultsAndOptionsWin() {
    String envZk = "127.0.0.1:" + freePort();
    String optionZk = "127.0.0.1:" + freePort();
    Map<String, String> env =
        Map.of("PIPEKEEPER_ZK", envZk, "PIPEKEEPER_BOOTSTRAP_SERVERS", "127.0.0.1:" + freePort());
    CliRun fromEnv = CliRun.runWith(env, "status", "--connect-timeout", "500ms");
    assertThat(fromEnv.err()).contains("ZooKeeper not reachable at " + envZk);
    CliRun fromOption =
        CliRun.runWith(env, "status", "--zk", optionZk, "--connect-timeout", "500ms");
    assertThat(fromOption.err()).contains("ZooKeeper not reachable at " + optionZk);
    assertThat(fromOption.err()).doesNotContain(envZk);
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheCommand() {
    String zk = "127.0.0.1:" + freePort();
    CliRun before = CliRun.run("--zk", zk, "--connect-timeout", "500ms", "status");
    assertThat(before.err()).contains("ZooKeeper not reachable at " + zk);
  }

  @Test
  void durationsParseAsOperatorsWriteThem() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationConverter.parse("PT3S")).isEqualTo(Duration.ofSeconds(3));
  }

  /** Property: any text either parses to a non-negative duration or is refused clearly. */
  @Test
  void durationParserNeverFailsUnclearly() {
    long seed = Seeds.seed("property.seed", "CliTest durations");
    Random random = new Random(seed);
    String alphabet = "0123456789msPTHhM-. ";
    for (int i = 0; i < 5000; i++) {
      StringBuilder text = new StringBuilder();
      for (int j = random.nextInt(8); j > 0; j--) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      try {
        assertThat(DurationConverter.parse(text.toString()).isNegative()).isFalse();
      } catch (TypeConversionException expected) {
        assertThat(expected.getMessage()).contains("is not a duration");
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("seed " + seed + ": '" + text + "'", e);
      }
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
