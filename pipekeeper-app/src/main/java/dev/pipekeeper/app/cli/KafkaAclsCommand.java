package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.examples.Example;
import dev.pipekeeper.examples.Examples;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.PipelineAcls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipekeeper kafka-acls PIPELINE --principal User:NAME}: the least-privilege Kafka ACLs a
 * pipeline needs ({@link PipelineAcls}), as {@code kafka-acls.sh} commands or JSON. An example's
 * resources are known ({@link Example#acls()}); any other pipeline is described by flags. It
 * connects to nothing.
 */
@Command(
    name = "kafka-acls",
    description = {
      "Prints the least-privilege Kafka ACLs a pipeline needs as kafka-acls.sh commands.",
      "Run them as a Kafka admin. An example (enrichment, scheduler, ingester) needs no more than"
          + " its name; any other"
          + " pipeline is described with --mode and its topics. Connects to nothing;"
          + " --bootstrap-servers is only printed. See docs/security.md."
    })
final class KafkaAclsCommand implements Callable<Integer> {
  @ParentCommand PipekeeperCommand root;

  @Parameters(
      paramLabel = "PIPELINE",
      description = "The pipeline's name: an example's, or any other described by --mode.")
  String pipeline;

  @Option(
      names = "--principal",
      required = true,
      paramLabel = "User:NAME",
      description =
          "The principal that runs the pipeline, as Kafka's authorizer names it (e.g."
              + " User:writer; for mTLS, the certificate's name as the brokers map it).")
  String principal;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description =
          "PARALLEL, SINGLETON or SHARDED: describes a pipeline that is not an example"
              + " (with the options below).")
  Mode mode;

  @Option(
      names = "--guarantee",
      paramLabel = "GUARANTEE",
      description = "With --mode: EXACTLY_ONCE (default) or AT_LEAST_ONCE.")
  Guarantee guarantee;

  @Option(
      names = "--input",
      paramLabel = "TOPIC",
      description = "With --mode PARALLEL or SINGLETON: an input topic (repeat for more).")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--output",
      paramLabel = "TOPIC",
      description = "With --mode: a topic the processor emits to (repeat for more).")
  List<String> outputs = new ArrayList<>();

  @Option(
      names = "--positions-topic",
      paramLabel = "TOPIC",
      description = "With --mode SHARDED: the positions topic (default PIPELINE.positions).")
  String positionsTopic;

  @Option(
      names = "--dead-letter-topic",
      paramLabel = "TOPIC",
      description = "With --mode: the dead-letter topic (default PIPELINE.dlq).")
  String deadLetterTopic;

  @Option(
      names = "--legacy-idempotent-write",
      description =
          "Also allow IDEMPOTENT_WRITE on the cluster, which brokers before 3.0 ask of an"
              + " AT_LEAST_ONCE pipeline's idempotent producer (later ones take WRITE on a"
              + " topic, KIP-679).")
  boolean legacyIdempotentWrite;

  @Option(
      names = "--command-config",
      paramLabel = "FILE",
      description =
          "The Kafka admin's client properties file, printed as kafka-acls.sh's --command-config"
              + " (not read).")
  String commandConfig;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    PipelineAcls acls = describe();
    String checked = PipelineAcls.checkPrincipal(principal);
    List<String> commands =
        acls.kafkaAclsCommands(checked, root.kafka.bootstrapServers, commandConfig);
    output.print(
        () -> Json.tree(acls.toJson(checked).getBytes(StandardCharsets.UTF_8)),
        out -> {
          out.println(
              "# The Kafka ACLs of pipeline "
                  + acls.pipeline()
                  + " ("
                  + acls.mode()
                  + ", "
                  + acls.guarantee()
                  + ") for "
                  + checked
                  + "; run them as a Kafka admin.");
          commands.forEach(out::println);
        });
    return ExitCodes.OK;
  }

  /**
   * The pipeline as the flags describe it, or the example of that name.
   *
   * @throws InvalidInputException if neither describes it
   */
  private PipelineAcls describe() {
    if (mode == null) {
      List<String> given = describingFlags();
      if (!given.isEmpty()) {
        throw new InvalidInputException(
            String.join(", ", given) + " describe a pipeline together with --mode; give --mode");
      }
      Optional<Example> example =
          Examples.all().stream().filter(e -> e.name().equals(pipeline)).findFirst();
      if (example.isEmpty()) {
        throw new InvalidInputException(
            "pipeline '"
                + pipeline
                + "' is not an example ("
                + Examples.all().stream().map(Example::name).collect(Collectors.joining(", "))
                + "): describe it with --mode and its topics (--input, --output, ...)");
      }
      return example.get().acls();
    }
    PipelineAcls.Builder builder =
        PipelineAcls.builder(pipeline)
            .mode(mode)
            .guarantee(guarantee != null ? guarantee : Guarantee.EXACTLY_ONCE)
            .inputs(inputs)
            .outputs(outputs)
            .legacyIdempotentWrite(legacyIdempotentWrite);
    if (positionsTopic != null) {
      if (mode != Mode.SHARDED) {
        throw new InvalidInputException("--positions-topic is for --mode SHARDED only");
      }
      builder.positionsTopic(positionsTopic);
    }
    if (deadLetterTopic != null) {
      builder.deadLetterTopic(deadLetterTopic);
    }
    return builder.build();
  }

  private List<String> describingFlags() {
    List<String> given = new ArrayList<>();
    if (guarantee != null) {
      given.add("--guarantee");
    }
    if (!inputs.isEmpty()) {
      given.add("--input");
    }
    if (!outputs.isEmpty()) {
      given.add("--output");
    }
    if (positionsTopic != null) {
      given.add("--positions-topic");
    }
    if (deadLetterTopic != null) {
      given.add("--dead-letter-topic");
    }
    if (legacyIdempotentWrite) {
      given.add("--legacy-idempotent-write");
    }
    return given;
  }
}
