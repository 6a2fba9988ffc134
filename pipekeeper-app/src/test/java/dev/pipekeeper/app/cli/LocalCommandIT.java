package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.ensemble.EnsembleProbe;
import dev.pipekeeper.core.ensemble.ServerStatus;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.monitor.KafkaProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(120));

  @Test
  void startsServersPrintsExportsAndStopsCleanlyOnSignal(@TempDir Path dir) throws Exception {
    CliRun run = new CliRun(Map.of());
    Thread command =
        new Thread(
            () ->
                run.execute(
                    "--cluster", // a global option: local itself takes only its own
                    "dev",
                    "local",
                    "--zk-port",
                    "0",
                    "--kafka-port",
                    "0",
                    "--data-dir",
                    dir.toString()),
            "local-command");
    command.start();
    await().atMost(BOUND).until(() -> run.out().contains("Press Ctrl-C to stop."));

    Map<String, String> exports =
        run.out()
            .lines()
            .filter(line -> line.startsWith("export "))
            .map(line -> line.substring("export ".length()).split("=", 2))
            .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    assertThat(exports).containsEntry("PIPEKEEPER_CLUSTER", "dev");
    String zk = exports.get("PIPEKEEPER_ZK");
    String kafka = exports.get("PIPEKEEPER_BOOTSTRAP_SERVERS");

    ServerStatus server = new EnsembleProbe(Duration.ofSeconds(5)).probe(zk).get(0);
    assertThat(server.serving()).isTrue();
    try (KafkaProbe probe = KafkaProbe.builder(kafka).timeout(Duration.ofSeconds(10)).build()) {
      assertThat(probe.describeCluster().reachable()).isTrue();
    }
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("zookeeper", "kafka");

    run.shutdown.triggerAndWait();
    command.join(BOUND.toMillis());
    assertThat(command.isAlive()).isFalse();
    assertThat(run.exitCode).isZero();
    assertThat(run.out()).contains("Stopping...", "Stopped.");
    assertThat(run.shutdown.isFinished()).isTrue();
    assertThat(isFree(port(zk))).isTrue();
    assertThat(isFree(port(kafka))).isTrue();
  }

  @Test
  void aRestartOnTheSameDataDirReportsTheStoredClusterIdAndLeavesNoTemporaryFiles(@TempDir Path dir)
      throws Exception {
    String first = clusterIdOfOneRun(dir);
    String second = clusterIdOfOneRun(dir);
    assertThat(second)
        .as("the broker runs with the id its storage was formatted with")
        .isEqualTo(first);
    try (var files = Files.walk(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.startsWith("zookeeper.configuration"));
    }
  }

  /** Starts {@code local} on {@code dir}, checks the id it prints against the broker's, stops. */
  private static String clusterIdOfOneRun(Path dir) throws Exception {
    CliRun run = new CliRun(Map.of());
    Thread command =
        new Thread(
            () ->
                run.execute(
                    "local", "--zk-port", "0", "--kafka-port", "0", "--data-dir", dir.toString()),
            "local-command");
    command.start();
    try {
      await().atMost(BOUND).until(() -> run.out().contains("Press Ctrl-C to stop."));
      java.util.regex.Matcher banner =
          java.util.regex.Pattern.compile("Kafka +(\\S+) +\\(KRaft, cluster id (\\S+)\\)")
              .matcher(run.out());
      assertThat(banner.find()).as(run.out()).isTrue();
      try (org.apache.kafka.clients.admin.Admin admin =
          org.apache.kafka.clients.admin.Admin.create(
              Map.<String, Object>of("bootstrap.servers", banner.group(1)))) {
        assertThat(
                admin.describeCluster().clusterId().get(30, java.util.concurrent.TimeUnit.SECONDS))
            .as("the id the banner prints is the broker's")
            .isEqualTo(banner.group(2));
      }
      return banner.group(2);
    } finally {
      run.shutdown.triggerAndWait();
      command.join(BOUND.toMillis());
    }
  }

  @Test
  void aPortInUseGivesOneClearLineAndExit1() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      CliRun run =
          CliRun.run(
              "local", "--zk-port", Integer.toString(taken.getLocalPort()), "--kafka-port", "0");
      assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
      assertThat(run.err().strip())
          .isEqualTo(
              "pipekeeper: port "
                  + taken.getLocalPort()
                  + " is already in use, so ZooKeeper cannot listen on it");
      assertThat(run.shutdown.isFinished()).isTrue();
    }
  }

  @Test
  void secureRunsTlsAndSaslZooKeeperAndSaslSslKafkaAndPrintsEachUsersFiles(@TempDir Path dir)
      throws Exception {
    CliRun run = new CliRun(Map.of());
    Thread command =
        new Thread(
            () ->
                run.execute(
                    "local",
                    "--secure",
                    "--zk-port",
                    "0",
                    "--kafka-port",
                    "0",
                    "--data-dir",
                    dir.toString()),
            "local-command");
    command.start();
    try {
      await().atMost(BOUND).until(() -> run.out().contains("Press Ctrl-C to stop."));
      Map<String, String> exports =
          run.out()
              .lines()
              .filter(line -> line.startsWith("export "))
              .map(line -> line.substring("export ".length()).split("=", 2))
              .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
      Path security = dir.resolve("security");
      assertThat(exports)
          .containsEntry(
              "PIPEKEEPER_ZK_CONFIG", security.resolve("zookeeper-writer.properties").toString())
          .containsEntry(
              "PIPEKEEPER_KAFKA_CONFIG", security.resolve("kafka-writer.properties").toString());
      for (String user : java.util.List.of("admin", "writer", "reader")) {
        assertThat(run.out())
            .contains(security.resolve("zookeeper-" + user + ".properties").toString())
            .contains(security.resolve("kafka-" + user + ".properties").toString())
            .doesNotContain(Files.readString(security.resolve(user + ".password")));
        assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(
                        security.resolve("kafka-" + user + ".properties"))))
            .isEqualTo("rw-------");
      }
      String zk = exports.get("PIPEKEEPER_ZK");

      assertThatThrownBy(
              () ->
                  dev.pipekeeper.core.Pipekeeper.builder()
                      .zookeeper(zk)
                      .connectionTimeout(Duration.ofSeconds(3))
                      .build())
          .isInstanceOf(dev.pipekeeper.core.AuthenticationException.class);
      dev.pipekeeper.core.security.ZooKeeperSecurity writer =
          dev.pipekeeper.core.security.ZooKeeperSecurity.builder()
              .truststore(security.resolve("truststore.p12"), security.resolve("stores.password"))
              .sasl("writer", security.resolve("writer.password"))
              .build();
      try (dev.pipekeeper.core.Pipekeeper pk =
          dev.pipekeeper.core.Pipekeeper.builder().zookeeper(zk).security(writer).build()) {
        assertThat(pk.membership().groups()).isEmpty();
      }
      // the CLI itself, with what the banner exported: as writer, then as reader
      Map<String, String> asWriter =
          Map.of("PIPEKEEPER_ZK", zk, "PIPEKEEPER_ZK_CONFIG", exports.get("PIPEKEEPER_ZK_CONFIG"));
      CliRun set = CliRun.runWith(asWriter, "config", "set", "threshold", "5");
      assertThat(set.exitCode).as(set.err()).isEqualTo(ExitCodes.OK);
      Map<String, String> asReader =
          Map.of(
              "PIPEKEEPER_ZK",
              zk,
              "PIPEKEEPER_ZK_CONFIG",
              security.resolve("zookeeper-reader.properties").toString());
      CliRun get = CliRun.runWith(asReader, "config", "get", "threshold");
      assertThat(get.exitCode).as(get.err()).isEqualTo(ExitCodes.OK);
      assertThat(get.out()).contains("5");
      CliRun refused = CliRun.runWith(asReader, "config", "set", "threshold", "6");
      assertThat(refused.exitCode).as(refused.err()).isEqualTo(ExitCodes.FAILED);
      assertThat(refused.err().strip().lines()).hasSize(1);
      assertThat(refused.err()).contains("not authorized");
      CliRun plaintext = CliRun.runWith(Map.of("PIPEKEEPER_ZK", zk), "config", "get", "threshold");
      assertThat(plaintext.exitCode).isEqualTo(ExitCodes.FAILED);
      assertThat(plaintext.err().strip().lines()).hasSize(1);
      assertThat(plaintext.err()).contains("takes TLS only");
      // status reaches the SASL_SSL listener with the banner's Kafka client file, not without,
      // and asks the TLS-only ZooKeeper about itself over TLS with the ZooKeeper client file
      Map<String, String> kafkaAsWriter =
          Map.of(
              "PIPEKEEPER_BOOTSTRAP_SERVERS",
              exports.get("PIPEKEEPER_BOOTSTRAP_SERVERS"),
              "PIPEKEEPER_KAFKA_CONFIG",
              exports.get("PIPEKEEPER_KAFKA_CONFIG"));
      Map<String, String> bothAsWriter = new java.util.HashMap<>(asWriter);
      bothAsWriter.putAll(kafkaAsWriter);
      CliRun status = CliRun.runWith(bothAsWriter, "status", "--json");
      assertThat(status.exitCode).as(status.err()).isEqualTo(ExitCodes.OK);
      com.fasterxml.jackson.databind.JsonNode statusJson =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out());
      com.fasterxml.jackson.databind.JsonNode kafkaStatus = statusJson.get("kafka");
      assertThat(kafkaStatus.get("reachable").asBoolean()).as(status.err()).isTrue();
      assertThat(kafkaStatus.get("brokers")).hasSize(1);
      assertThat(statusJson.at("/zookeeper/servers/0/serving").asBoolean()).isTrue();
      CliRun zkPlaintext = CliRun.runWith(Map.of("PIPEKEEPER_ZK", zk), "status");
      assertThat(zkPlaintext.exitCode).isEqualTo(ExitCodes.FAILED);
      assertThat(zkPlaintext.err()).contains("takes TLS only");
      CliRun plainStatus =
          CliRun.runWith(
              Map.of("PIPEKEEPER_BOOTSTRAP_SERVERS", exports.get("PIPEKEEPER_BOOTSTRAP_SERVERS")),
              "status",
              "--json",
              "--connect-timeout",
              "2s");
      assertThat(plainStatus.exitCode).isEqualTo(ExitCodes.FAILED);
      assertThat(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(plainStatus.out())
                  .get("kafka")
                  .get("reachable")
                  .asBoolean())
          .isFalse();
      // a file whose servers are not the command's is refused, naming both
      CliRun elsewhere =
          CliRun.runWith(
              Map.of("PIPEKEEPER_KAFKA_CONFIG", exports.get("PIPEKEEPER_KAFKA_CONFIG")),
              "status",
              "--bootstrap-servers",
              "127.0.0.1:1");
      assertThat(elsewhere.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(elsewhere.err()).contains("but --bootstrap-servers is 127.0.0.1:1");
      java.util.Properties admin = new java.util.Properties();
      try (var in = Files.newBufferedReader(security.resolve("kafka-admin.properties"))) {
        admin.load(in);
      }
      try (org.apache.kafka.clients.admin.Admin client =
          org.apache.kafka.clients.admin.Admin.create(admin)) {
        assertThat(client.describeCluster().nodes().get(30, java.util.concurrent.TimeUnit.SECONDS))
            .hasSize(1);
      }
    } finally {
      run.shutdown.triggerAndWait();
      command.join(BOUND.toMillis());
    }
    assertThat(run.exitCode).isZero();
  }

  @Test
  void secureRefusesAQuorum() {
    CliRun run = CliRun.run("local", "--secure", "--zk-servers", "3");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("--secure runs one ZooKeeper server: --zk-servers must be 1, not 3");
  }

  @Test
  void refusesAnEvenQuorum() {
    CliRun run = CliRun.run("local", "--zk-servers", "2");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--zk-servers must be 1 or 3, not 2");
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
