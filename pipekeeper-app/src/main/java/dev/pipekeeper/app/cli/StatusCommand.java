package dev.pipekeeper.app.cli;

import dev.pipekeeper.app.status.KafkaProbe;
import dev.pipekeeper.app.status.KafkaStatus;
import dev.pipekeeper.core.ensemble.EnsembleProbe;
import dev.pipekeeper.core.ensemble.ServerStatus;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() {
    CompletableFuture<List<ServerStatus>> zookeeper =
        CompletableFuture.supplyAsync(() -> new EnsembleProbe(root.connectTimeout).probe(root.zk));
    CompletableFuture<KafkaStatus> kafka =
        CompletableFuture.supplyAsync(
            () -> new KafkaProbe(root.connectTimeout).probe(root.bootstrapServers));
    List<ServerStatus> servers = join(zookeeper);
    KafkaStatus cluster = join(kafka);

    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("zookeeper", Map.of("connectString", root.zk, "servers", servers));
      report.put("kafka", cluster);
      out.println(Json.write(report));
    } else {
      printTable(out, servers, cluster);
    }

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

  private static void printTable(PrintWriter out, List<ServerStatus> servers, KafkaStatus cluster) {
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
