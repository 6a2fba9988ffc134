package dev.pipekeeper.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipekeeper bridge}: the connectors of pipekeeper-connect in an embedded standalone Kafka
 * Connect worker, its offsets in a file, for users without a Connect cluster.
 */
@Command(
    name = "bridge",
    description = {
      "Runs a connector in an embedded Connect worker, offsets in a file, until stopped.",
      "For users without a Kafka Connect cluster. See docs/connect.md."
    },
    subcommands = {BridgeCommand.ZkToKafka.class, BridgeCommand.KafkaToZk.class})
final class BridgeCommand implements Runnable {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "Missing direction: zk-to-kafka or kafka-to-zk");
  }

  /** {@code bridge zk-to-kafka}: the source connector. */
  @Command(
      name = "zk-to-kafka",
      description = {
        "Streams every change of ZooKeeper subtrees into a Kafka topic (the source connector:"
            + " a snapshot, then each create, change and delete, keyed by path), until Ctrl-C.",
        "A restart with the same --offsets file resumes: nothing missed, nothing twice."
      })
  static final class ZkToKafka implements Callable<Integer> {
    private final ShutdownSignal shutdown;

    @ParentCommand BridgeCommand bridge;
    @Spec CommandSpec spec;

    @Option(
        names = "--subtree",
        paramLabel = "PATH",
        required = true,
        description = "A ZooKeeper subtree to stream (absolute path); repeat for several.")
    List<String> subtrees;

    @Option(
        names = "--topic",
        paramLabel = "NAME",
        required = true,
        description = "The topic the records go to (meant to be compacted).")
    String topic;

    @Option(
        names = "--value-format",
        paramLabel = "FORMAT",
        defaultValue = "string",
        description =
            "bytes, string or json: how node data is written (default: ${DEFAULT-VALUE}).")
    String valueFormat;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        defaultValue = "zk-to-kafka",
        description =
            "The connector's name, which its offsets are kept under (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
        names = "--offsets",
        paramLabel = "FILE",
        description =
            "Where the worker keeps its offsets (default: NAME.offsets in the working folder).")
    Path offsets;

    ZkToKafka(ShutdownSignal shutdown) {
      this.shutdown = shutdown;
    }

    @Override
    public Integer call() throws InterruptedException {
      try {
        PipekeeperCommand root = bridge.root;
        Map<String, String> connector =
            BridgeWorker.sourceConnector(root.zookeeper, subtrees, topic, valueFormat);
        Path file = offsets != null ? offsets : Path.of(name + ".offsets");
        PrintWriter out = spec.commandLine().getOut();
        // runs until Ctrl-C; a connector or task failing meanwhile ends it with exit 1
        BridgeWorker.serve(
            root.kafka.settings(),
            file,
            name,
            connector,
            out,
            "bridge " + name,
            "ZooKeeper "
                + root.zookeeper.connectString
                + " "
                + String.join(", ", subtrees)
                + " -> topic "
                + topic
                + " at "
                + root.kafka.bootstrapServers
                + " (offsets in "
                + file
                + "; Ctrl-C to stop)",
            shutdown);
        return ExitCodes.OK;
      } finally {
        shutdown.finished();
      }
    }
  }

  /** {@code bridge kafka-to-zk}: the sink connector. */
  @Command(
      name = "kafka-to-zk",
      description = {
        "Applies a topic of commands (create, set, delete, batches) to one ZooKeeper subtree, each"
            + " record once (the sink connector), until Ctrl-C.",
        "Refused records go to --dead-letter-topic with the reason; see docs/connect.md."
      })
  static final class KafkaToZk implements Callable<Integer> {
    private final ShutdownSignal shutdown;

    @ParentCommand BridgeCommand bridge;
    @Spec CommandSpec spec;

    @Option(
        names = "--topic",
        paramLabel = "NAME",
        required = true,
        description = "The topic of commands (JSON values).")
    String topic;

    @Option(
        names = "--subtree",
        paramLabel = "PATH",
        required = true,
        description = "The one ZooKeeper subtree the commands may change (absolute path).")
    String subtree;

    @Option(
        names = "--dead-letter-topic",
        paramLabel = "NAME",
        description =
            "Where refused records go, with the reason in their headers (default: none, and a"
                + " refused record stops the task).")
    String deadLetterTopic;

    @Option(
        names = "--result-topic",
        paramLabel = "NAME",
        description = "Where each command's outcome is reported (plaintext brokers only for now).")
    String resultTopic;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        defaultValue = "kafka-to-zk",
        description =
            "The connector's name: its consumer group, its offsets node (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
        names = "--offsets",
        paramLabel = "FILE",
        description =
            "The worker's offsets file (default: NAME.offsets); the sink's own offsets live in"
                + " ZooKeeper, with the changes.")
    Path offsets;

    KafkaToZk(ShutdownSignal shutdown) {
      this.shutdown = shutdown;
    }

    @Override
    public Integer call() throws InterruptedException {
      try {
        PipekeeperCommand root = bridge.root;
        Map<String, String> connector =
            BridgeWorker.sinkConnector(
                root.zookeeper, topic, subtree, deadLetterTopic, resultTopic, root.kafka);
        Path file = offsets != null ? offsets : Path.of(name + ".offsets");
        PrintWriter out = spec.commandLine().getOut();
        BridgeWorker.serve(
            root.kafka.settings(),
            file,
            name,
            connector,
            out,
            "bridge " + name,
            "topic "
                + topic
                + " at "
                + root.kafka.bootstrapServers
                + " -> ZooKeeper "
                + root.zookeeper.connectString
                + " "
                + subtree
                + (deadLetterTopic == null ? "" : " (refused records to " + deadLetterTopic + ")")
                + " (Ctrl-C to stop)",
            shutdown);
        return ExitCodes.OK;
      } finally {
        shutdown.finished();
      }
    }
  }
}
