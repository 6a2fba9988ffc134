package dev.pipekeeper.app.cli;

import dev.pipekeeper.console.Console;
import dev.pipekeeper.core.Pipekeeper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper console}: the web page, REST API and event stream, until stopped. */
@Command(
    name = "console",
    description = {
      "Serves the operator console (web page, REST API and live events) until stopped.",
      "The page is at /, the API under /api/v1, its OpenAPI document at /api/openapi.json, the"
          + " server-sent events at /api/v1/events. Read-only unless --operator-tokens is given."
          + " Prints the URL; Ctrl-C stops it. See docs/console.md."
    })
final class ConsoleCommand implements Callable<Integer> {
  private final ShutdownSignal shutdown;

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "8080",
      description = "The port to serve on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "The address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--operator-tokens",
      paramLabel = "FILE",
      description =
          "Lets the operators in FILE change config (set, apply, rollback): lines NAME=TOKEN"
              + " or NAME:ROLE=TOKEN, ROLE writer (the default) or reader (refused every change);"
              + " a request sends Authorization: Bearer TOKEN and the change is recorded under"
              + " NAME. Without it the console is read-only.")
  Path operatorTokens;

  @Option(
      names = "--audit-topic",
      paramLabel = "TOPIC",
      description =
          "Serve the cluster's audit events from TOPIC (what 'pipekeeper audit' writes, e.g."
              + " pipekeeper-audit-CLUSTER), read with --bootstrap-servers and --kafka-config:"
              + " pages at /api/v1/clusters/CLUSTER/audit and each new one on the event stream."
              + " Default: no audit feed.")
  String auditTopic;

  ConsoleCommand(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  @Override
  public Integer call() throws InterruptedException {
    try {
      // A bad --port, --host or --operator-tokens file is refused by the builder (exit 2) before
      // anything is served; the file's tokens are never printed.
      PrintWriter out = spec.commandLine().getOut();
      try (Pipekeeper pk = Connections.open(root.zookeeper)) {
        KafkaAuditFeed audit =
            auditTopic == null
                ? null
                : new KafkaAuditFeed(root.kafka.settings().consumer(), auditTopic);
        try (Console console = ConsoleOption.start(pk, port, host, operatorTokens, audit)) {
          out.println(
              "console: cluster "
                  + pk.cluster()
                  + " at "
                  + console.url()
                  + " ("
                  + ConsoleOption.access(operatorTokens)
                  + (audit == null ? "" : "; audit from " + audit.source())
                  + "; Ctrl-C to stop)");
          out.flush();
          shutdown.awaitRequest();
          out.println("console: stopping");
          out.flush();
        }
      }
      return ExitCodes.OK;
    } finally {
      shutdown.finished();
    }
  }
}
