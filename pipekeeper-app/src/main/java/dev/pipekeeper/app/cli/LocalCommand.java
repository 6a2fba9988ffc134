package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper local}: embedded ZooKeeper and Kafka in the foreground until Ctrl-C. */
@Command(
    name = "local",
    description = {
      "Runs a real ZooKeeper and Kafka broker on this machine until Ctrl-C.",
      "Starts a real ZooKeeper and a real KRaft Kafka broker, prints their addresses and the"
          + " export lines to use them, and runs until Ctrl-C or SIGTERM."
    })
final class LocalCommand implements Callable<Integer> {
  private final ShutdownSignal shutdown;

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = "--zk-port",
      paramLabel = "PORT",
      defaultValue = "2181",
      description = "ZooKeeper client port; 0 takes a free one (default: ${DEFAULT-VALUE}).")
  int zkPort;

  @Option(
      names = "--zk-servers",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "1 for one server, 3 for a quorum on consecutive ports (default: ${DEFAULT-VALUE}).")
  int zkServers;

  @Option(
      names = "--kafka-port",
      paramLabel = "PORT",
      defaultValue = "9092",
      description = "Kafka broker port; 0 takes a free one (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Keep data here across runs (default: a temporary folder deleted on exit).")
  Path dataDir;

  @Option(
      names = "--secure",
      description =
          "ZooKeeper with TLS only and SASL required, Kafka with SASL_SSL (SCRAM-SHA-512) and"
              + " ACLs on, from a throwaway CA made in the data folder; prints the client files"
              + " of the users admin, writer and reader.")
  boolean secure;

  LocalCommand(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (zkServers != 1 && zkServers != 3) {
      throw new InvalidInputException("--zk-servers must be 1 or 3, not " + zkServers);
    }
    checkPort("--zk-port", zkPort);
    checkPort("--kafka-port", kafkaPort);
    if (secure && zkServers != 1) {
      throw new InvalidInputException(
          "--secure runs one ZooKeeper server: --zk-servers must be 1, not " + zkServers);
    }
    PrintWriter out = spec.commandLine().getOut();
    EmbeddedZooKeeper.Builder zkBuilder =
        EmbeddedZooKeeper.builder().servers(zkServers).clientPort(zkPort);
    EmbeddedKafka.Builder kafkaBuilder = EmbeddedKafka.builder().brokerPort(kafkaPort);
    if (dataDir != null) {
      zkBuilder.dataDir(dataDir.resolve("zookeeper"));
      kafkaBuilder.dataDir(dataDir.resolve("kafka"));
    }
    Path securityDir = null;
    EmbeddedSecurity security = null;
    if (secure) {
      securityDir = dataDir != null ? dataDir.resolve("security") : temporaryFolder();
      security = EmbeddedSecurity.create(securityDir);
      zkBuilder.secure(security);
      kafkaBuilder.secure(security);
    }
    out.println("Starting ZooKeeper and Kafka...");
    out.flush();
    try {
      try (EmbeddedZooKeeper zk = zkBuilder.build().start();
          EmbeddedKafka kafka = kafkaBuilder.build().start()) {
        printAddresses(out, zk, kafka, security);
        shutdown.awaitRequest();
        out.println("Stopping...");
        out.flush();
      }
      out.println("Stopped.");
      out.flush();
    } finally {
      if (securityDir != null && dataDir == null) {
        deleteRecursively(securityDir);
      }
      shutdown.finished();
    }
    return ExitCodes.OK;
  }

  private void printAddresses(
      PrintWriter out, EmbeddedZooKeeper zk, EmbeddedKafka kafka, EmbeddedSecurity security) {
    out.printf(
        "ZooKeeper  %s  (%s%s)%n",
        zk.connectString(),
        zkServers == 1 ? "standalone" : zkServers + "-server quorum",
        security != null ? ", TLS only, SASL DIGEST-MD5 required" : "");
    out.printf(
        "Kafka      %s  (KRaft, cluster id %s%s)%n",
        kafka.bootstrapServers(),
        kafka.clusterId(),
        security != null ? ", SASL_SSL SCRAM-SHA-512, ACLs on, admin is super user" : "");
    out.printf("Data       %s%n", dataDir == null ? "temporary, deleted on exit" : dataDir);
    if (security != null) {
      out.printf("Security   %s  (throwaway CA; every file 0600)%n", security.dir());
    }
    out.println();
    ServerExports.print(out, "", zk, kafka, root.zookeeper.cluster);
    out.println();
    out.println("Running. Press Ctrl-C to stop.");
    out.flush();
  }

  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory("pipekeeper-local-security-");
    } catch (IOException e) {
      throw new PipekeeperException("cannot create a temporary folder: " + e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(LocalCommand::delete);
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder left behind is not worth failing the stop for
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkPort(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new InvalidInputException(option + " must be between 0 and 65535, not " + port);
    }
  }
}
