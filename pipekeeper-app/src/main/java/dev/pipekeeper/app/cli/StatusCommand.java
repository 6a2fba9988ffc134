package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.ensemble.EnsembleProbe;
import dev.pipekeeper.core.ensemble.ServerStatus;
import dev.pipekeeper.core.security.ZooKeeperClientFile;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
import dev.pipekeeper.kafka.monitor.KafkaCluster;
import dev.pipekeeper.kafka.monitor.KafkaProbe;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper status}: what the configured ZooKeeper and Kafka say of themselves. */
@Command(
    name = "status",
    description = {
      "Reports what ZooKeeper and Kafka say of themselves.",
      "ZooKeeper: each server's version and mode, from the server itself; Kafka: cluster id,"
          + " brokers, controller. Exits 1 if any is unreachable."
    })
final class StatusCommand implements Callable<Integer> {
  private static final Duration MIN_KAFKA_TIMEOUT = Duration.ofMillis(100);
  private static final Duration MAX_KAFKA_TIMEOUT = Duration.ofMinutes(5);

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Mixin JsonOutput output;

  /** Asks the servers as the {@code --zk-config} connection would talk to them: TLS with it. */
  private List<ServerStatus> probeZooKeeper(Optional<ZooKeeperSecurity> security) {
    EnsembleProbe probe = new EnsembleProbe(root.zookeeper.connectTimeout);
    if (security.isEmpty() || !security.get().tls()) {
      return probe.probe(root.zookeeper.connectString);
    }
    return probe.probe(root.zookeeper.connectString, security.get().tlsClientConfig());
  }

  @Override
  public Integer call() {
    Map<String, Object> kafkaClient = root.kafka.clientProperties();
    Optional<ZooKeeperSecurity> zkSecurity =
        Optional.ofNullable(root.zookeeper.zkConfig)
            .flatMap(file -> ZooKeeperClientFile.load(file).security());
    CompletableFuture<List<ServerStatus>> zookeeper =
        CompletableFuture.supplyAsync(() -> probeZooKeeper(zkSecurity));
    CompletableFuture<KafkaCluster> kafka =
        CompletableFuture.supplyAsync(
            () ->
                describe(root.kafka.bootstrapServers, kafkaClient, root.zookeeper.connectTimeout));
    List<ServerStatus> servers = join(zookeeper);
    KafkaCluster cluster = join(kafka);

    output.print(
        () -> {
          Map<String, Object> report = new LinkedHashMap<>();
          report.put(
              "zookeeper",
              Map.of("connectString", root.zookeeper.connectString, "servers", servers));
          report.put("kafka", cluster);
          return report;
        },
        out -> printTable(out, servers, cluster));

    PrintWriter err = spec.commandLine().getErr();
    boolean ok = true;
    for (ServerStatus server : servers) {
      if (!server.serving()) {
        ok = false;
        err.println(
            "pipekeeper: ZooKeeper "
                + (server.reachable() ? "not serving" : "not reachable")
                + " at "
                + server.address()
                + ": "
                + server.error().orElse("unknown"));
      }
    }
    if (!cluster.reachable()) {
      ok = false;
      err.println(
          "pipekeeper: Kafka not reachable at "
              + cluster.bootstrapServers()
              + ": "
              + cluster.error().orElse("unknown"));
    }
    return ok ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /**
   * What the Kafka cluster says of itself, within {@code timeout}: the monitor's probe, its client
   * named {@code pipekeeper-status} and its connection setup and requests bounded by the timeout
   * too, since one answer is all this command waits for.
   *
   * @throws dev.pipekeeper.core.InvalidInputException (exit 2) if the servers are malformed
   */
  private static KafkaCluster describe(
      String bootstrapServers, Map<String, Object> client, Duration timeout) {
    // The probe takes 100 ms to 5 min; --connect-timeout is only required to be positive.
    Duration bounded =
        timeout.compareTo(MIN_KAFKA_TIMEOUT) < 0
            ? MIN_KAFKA_TIMEOUT
            : timeout.compareTo(MAX_KAFKA_TIMEOUT) > 0 ? MAX_KAFKA_TIMEOUT : timeout;
    int millis = (int) bounded.toMillis();
    try (KafkaProbe probe =
        KafkaProbe.builder(bootstrapServers)
            .kafkaProperties(client)
            .timeout(bounded)
            .kafkaProperty(AdminClientConfig.CLIENT_ID_CONFIG, "pipekeeper-status")
            .kafkaProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis)
            .kafkaProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis)
            .kafkaProperty(
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (long) millis)
            .kafkaProperty(
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (long) millis)
            .build()) {
      return probe.describeCluster();
    }
  }

  private static void printTable(
      PrintWriter out, List<ServerStatus> servers, KafkaCluster cluster) {
    out.println("ZooKeeper");
    for (ServerStatus server : servers) {
      out.printf(
          "  %-24s %-12s %-8s %s%n",
          server.address(),
          server.serving() ? "serving" : server.reachable() ? "not serving" : "unreachable",
          server.version().orElse("-"),
          server.mode().orElse("-"));
    }
    out.println("Kafka");
    if (cluster.reachable()) {
      out.printf(
          "  %-24s cluster %s%n", cluster.bootstrapServers(), cluster.clusterId().orElse("-"));
      out.printf(
          "  %-24s %s%n",
          "brokers",
          cluster.brokers().stream()
              .map(b -> b.id() + "@" + b.host() + ":" + b.port())
              .collect(Collectors.joining(", ")));
      out.printf(
          "  %-24s %s%n", "controller", cluster.controller().map(String::valueOf).orElse("-"));
    } else {
      out.printf("  %-24s %s%n", cluster.bootstrapServers(), "unreachable");
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }
}
