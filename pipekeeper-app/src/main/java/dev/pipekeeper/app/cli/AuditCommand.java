package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.connect.audit.AuditReader;
import dev.pipekeeper.connect.audit.AuditTransformation;
import dev.pipekeeper.core.ClusterPath;
import dev.pipekeeper.core.InvalidInputException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipekeeper audit}: publishes every coordination and config change of the cluster to an
 * audit topic (the source connector of {@code /pipekeeper/CLUSTER} with the audit decoder, in the
 * bridge's embedded worker); {@code audit tail} reads it.
 */
@Command(
    name = "audit",
    description = {
      "Publishes every coordination and config change of the cluster to its audit topic.",
      "Member joined/left/died, leader granted, lock taken/released, assignment published,"
          + " config changed (secrets masked), alert transitions; until Ctrl-C."
          + " 'audit tail' reads the topic. See docs/connect.md."
    },
    subcommands = {AuditCommand.Tail.class})
final class AuditCommand implements Callable<Integer> {
  private final ShutdownSignal shutdown;

  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = "--topic",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      paramLabel = "NAME",
      description = "The audit topic (default: pipekeeper-audit-CLUSTER).")
  String topic;

  @Option(
      names = "--offsets",
      paramLabel = "FILE",
      description = "Where the worker keeps its offsets (default: audit-CLUSTER.offsets).")
  Path offsets;

  AuditCommand(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  static String topic(String given, String cluster) {
    return AuditReader.topic(given, cluster);
  }

  @Override
  public Integer call() throws InterruptedException {
    try {
      String cluster = root.zookeeper.cluster;
      String subtree = ClusterPath.root(cluster);
      String target = topic(topic, cluster);
      Map<String, String> connector =
          BridgeWorker.sourceConnector(root.zookeeper, List.of(subtree), target, "string");
      connector.put("transforms", "audit");
      connector.put("transforms.audit.type", AuditTransformation.class.getName());
      connector.put("transforms.audit." + AuditTransformation.CLUSTER_CONFIG, cluster);
      Path file = offsets != null ? offsets : Path.of("audit-" + cluster + ".offsets");
      String name = "audit-" + cluster;
      PrintWriter out = spec.commandLine().getOut();
      BridgeWorker.serve(
          root.kafka.settings(),
          file,
          name,
          connector,
          out,
          "audit",
          "cluster "
              + cluster
              + " ("
              + subtree
              + ") -> topic "
              + target
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

  /** {@code audit tail}: prints the audit topic's events, oldest first. */
  @Command(
      name = "tail",
      description = {
        "Prints the cluster's audit events, oldest first (all, or those since --since).",
        "Ends at the topic's end, or with --follow keeps printing new ones until Ctrl-C."
      })
  static final class Tail implements Callable<Integer> {
    private static final Set<String> HEADER_FIELDS = Set.of("type", "cluster", "subject", "time");
    private final ShutdownSignal shutdown;

    @ParentCommand AuditCommand audit;
    @Spec CommandSpec spec;

    @Option(
        names = "--since",
        paramLabel = "TIME",
        description = "Only events from then: an instant (2026-12-03T10:00:00Z) or an age (10m).")
    String since;

    @Option(names = "--follow", description = "Keep printing new events until Ctrl-C.")
    boolean follow;

    @Option(names = "--json", description = "One JSON object per event, as on the topic.")
    boolean json;

    Tail(ShutdownSignal shutdown) {
      this.shutdown = shutdown;
    }

    @Override
    public Integer call() throws InterruptedException {
      try {
        PipekeeperCommand root = audit.root;
        Instant from = since == null ? null : parseSince(since);
        String target = topic(audit.topic, root.zookeeper.cluster);
        PrintWriter out = spec.commandLine().getOut();
        try (AuditReader reader = new AuditReader(root.kafka.settings().consumer(), target)) {
          reader.seek(from);
          while (follow ? !shutdown.awaitRequest(0) : !reader.caughtUp()) {
            for (byte[] event : reader.poll(Duration.ofMillis(200))) {
              out.println(json ? line(event) : text(event));
            }
            out.flush();
          }
        }
        return ExitCodes.OK;
      } finally {
        shutdown.finished();
      }
    }

    static Instant parseSince(String text) {
      return parseSince("--since", text);
    }

    /**
     * An instant ({@code 2026-12-03T10:00:00Z}) or an age ({@code 10m}): the one reading of {@code
     * --since}, which the console's {@code ?since=} shares; {@code what} names it.
     */
    static Instant parseSince(String what, String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException notAnInstant) {
        try {
          return Instant.now().minus(DurationConverter.parse(text));
        } catch (RuntimeException notADuration) {
          throw new InvalidInputException(
              what
                  + " '"
                  + text
                  + "' is neither an instant (2026-12-03T10:00:00Z) nor an age (10m)");
        }
      }
    }

    private static String line(byte[] value) {
      return new String(value, StandardCharsets.UTF_8).strip();
    }

    /** {@code TIME TYPE SUBJECT key=value ...}; an event that is not JSON as its text. */
    static String text(byte[] value) {
      JsonNode event;
      try {
        event = Json.tree(value);
      } catch (RuntimeException e) {
        return "(not an audit event) " + line(value);
      }
      StringBuilder text =
          new StringBuilder()
              .append(event.path("time").asText("?"))
              .append(' ')
              .append(event.path("type").asText("?"))
              .append(' ')
              .append(event.path("subject").asText("?"));
      event
          .properties()
          .forEach(
              field -> {
                if (!HEADER_FIELDS.contains(field.getKey())) {
                  JsonNode v = field.getValue();
                  text.append(' ')
                      .append(field.getKey())
                      .append('=')
                      .append(v.isTextual() ? v.asText() : v.toString());
                }
              });
      return text.toString();
    }
  }
}
