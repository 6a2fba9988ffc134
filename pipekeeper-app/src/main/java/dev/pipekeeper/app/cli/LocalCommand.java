package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
    PrintWriter out = spec.commandLine().getOut();
    EmbeddedZooKeeper.Builder zkBuilder =
        EmbeddedZooKeeper.builder().servers(zkServers).clientPort(zkPort);
    EmbeddedKafka.Builder kafkaBuilder = EmbeddedKafka.builder().brokerPort(kafkaPort);
    if (dataDir != null) {
      zkBuilder.dataDir(dataDir.resolve("zookeeper"));
      kafkaBuilder.dataDir(dataDir.resolve("kafka"));
    }
    out.println("Starting ZooKeeper and Kafka...");
    out.flush();
    try {
      try (EmbeddedZooKeeper zk = zkBuilder.build().start();
          EmbeddedKafka kafka = kafkaBuilder.build().start()) {
        printAddresses(out, zk, kafka);
        shutdown.awaitRequest();
        out.println("Stopping...");
        out.flush();
      }
      out.println("Stopped.");
      out.flush();
    } finally {
      shutdown.finished();
    }
    return ExitCodes.OK;
  }

  private void printAddresses(PrintWriter out, EmbeddedZooKeeper zk, EmbeddedKafka kafka) {
    out.printf(
        "ZooKeeper  %s  (%s)%n",
        zk.connectString(), zkServers == 1 ? "standalone" : zkServers + "-server quorum");
    out.printf(
        "Kafka      %s  (KRaft, cluster id %s)%n", kafka.bootstrapServers(), kafka.clusterId());
    out.printf("Data       %s%n", dataDir == null ? "temporary, deleted on exit" : dataDir);
    out.println();
    out.println("export PIPEKEEPER_ZK=" + zk.connectString());
    out.println("export PIPEKEEPER_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
    out.println("export PIPEKEEPER_CLUSTER=" + root.zookeeper.cluster);
    out.println();
    out.println("Running. Press Ctrl-C to stop.");
    out.flush();
  }

  private static void checkPort(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new InvalidInputException(option + " must be between 0 and 65535, not " + port);
    }
  }
}
