package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
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
    for (String command : new String[] {"local", "status", "members", "leaders", "locks"}) {
      CliRun help = CliRun.run(command, "--help");
      assertThat(help.exitCode).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: pipekeeper " + command, "--zk");
      CliRun version = CliRun.run(command, "--version");
      assertThat(version.exitCode).as(command).isZero();
      assertThat(version.out()).as(command).startsWith("pipekeeper ");
    }
  }

  @Test
  void aWrongOptionPrintsTheUsageAndExits2() {
    CliRun run = CliRun.run("status", "--no-such-option");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("Unknown option: '--no-such-option'", "Usage: pipekeeper status");
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
    long seed = new Random().nextLong();
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
