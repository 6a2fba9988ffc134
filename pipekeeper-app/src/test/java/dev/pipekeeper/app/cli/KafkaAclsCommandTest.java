package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code pipekeeper kafka-acls}: connects to nothing, so it runs without servers. */
class KafkaAclsCommandTest {

  @Test
  void anExampleNeedsOnlyItsNameAndThePrincipal() {
    CliRun run =
        CliRun.run(
            "kafka-acls",
            "enrichment",
            "--principal",
            "User:writer",
            "--bootstrap-servers",
            "kafka:9093");
    assertThat(run.exitCode).as(run.err()).isZero();
    String prefix =
        "kafka-acls.sh --bootstrap-server kafka:9093 --add --allow-principal User:writer";
    assertThat(run.out())
        .startsWith(
            "# The Kafka ACLs of pipeline enrichment (PARALLEL, EXACTLY_ONCE) for User:writer")
        .contains(
            prefix + " --operation Read --topic orders",
            prefix + " --operation Read --group enrichment",
            prefix + " --operation Write --topic orders.enriched",
            prefix + " --operation Write --topic orders.large",
            prefix + " --operation Write --topic enrichment.dlq",
            prefix
                + " --operation Write --transactional-id pipekeeper-enrichment:member:"
                + " --resource-pattern-type prefixed");
    assertThat(commands(run)).hasSize(6);
    assertThat(run.err()).isEmpty();
  }

  @Test
  void theSingletonAndShardedExamplesHaveTheirModesAcls() {
    CliRun scheduler = CliRun.run("kafka-acls", "scheduler", "--principal", "User:w");
    assertThat(scheduler.exitCode).isZero();
    assertThat(scheduler.out())
        .contains("--operation Write --transactional-id pipekeeper-scheduler\n")
        .contains("--operation Read --group scheduler");
    CliRun ingester = CliRun.run("kafka-acls", "ingester", "--principal", "User:w");
    assertThat(ingester.exitCode).isZero();
    assertThat(ingester.out())
        .contains(
            "--operation Read --topic ingester.positions",
            "--operation Write --topic ingester.positions",
            "--operation Write --topic ingest.events",
            "--transactional-id pipekeeper-ingester:unit: --resource-pattern-type prefixed")
        .doesNotContain("--group");
  }

  @Test
  void anyOtherPipelineIsDescribedByFlags() {
    CliRun run =
        CliRun.run(
            "kafka-acls",
            "billing",
            "--principal",
            "User:billing",
            "--mode",
            "SINGLETON",
            "--guarantee",
            "AT_LEAST_ONCE",
            "--input",
            "invoices",
            "--input",
            "refunds",
            "--output",
            "ledger",
            "--dead-letter-topic",
            "billing.failed",
            "--legacy-idempotent-write",
            "--command-config",
            "admin.properties");
    assertThat(run.exitCode).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "--command-config admin.properties --add --allow-principal User:billing",
            "--operation Read --topic invoices",
            "--operation Read --topic refunds",
            "--operation Read --group billing",
            "--operation Write --topic ledger",
            "--operation Write --topic billing.failed",
            "--operation IdempotentWrite --cluster")
        .doesNotContain("--transactional-id", "billing.dlq");
  }

  @Test
  void jsonHoldsTheAclsAndNothingElse() throws Exception {
    CliRun run = CliRun.run("kafka-acls", "ingester", "--principal", "User:writer", "--json");
    assertThat(run.exitCode).as(run.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("pipeline").asText()).isEqualTo("ingester");
    assertThat(json.get("mode").asText()).isEqualTo("SHARDED");
    assertThat(json.get("principal").asText()).isEqualTo("User:writer");
    assertThat(json.get("acls")).hasSize(5);
    JsonNode last = json.get("acls").get(4);
    assertThat(last.get("resourceType").asText()).isEqualTo("TRANSACTIONAL_ID");
    assertThat(last.get("name").asText()).isEqualTo("pipekeeper-ingester:unit:");
    assertThat(last.get("patternType").asText()).isEqualTo("PREFIXED");
    assertThat(last.get("operation").asText()).isEqualTo("WRITE");
    assertThat(last.get("permission").asText()).isEqualTo("ALLOW");
  }

  @Test
  void badInputIsOneLineAndExitTwo() {
    assertBadInput(
        CliRun.run("kafka-acls", "billing", "--principal", "User:w"),
        "pipeline 'billing' is not an example (enrichment, scheduler, ingester): describe it"
            + " with --mode");
    assertBadInput(
        CliRun.run("kafka-acls", "enrichment", "--principal", "writer"),
        "principal 'writer' is not valid: give it as User:NAME");
    assertBadInput(
        CliRun.run("kafka-acls", "billing", "--principal", "User:w", "--input", "x"),
        "--input describe a pipeline together with --mode");
    assertBadInput(
        CliRun.run("kafka-acls", "billing", "--principal", "User:w", "--mode", "PARALLEL"),
        "needs at least one input topic");
    assertBadInput(
        CliRun.run(
            "kafka-acls", "b", "--principal", "User:w", "--mode", "PARALLEL", "--input", "a b"),
        "input topic 'a b' is not a valid Kafka topic name");
    assertBadInput(
        CliRun.run(
            "kafka-acls",
            "b",
            "--principal",
            "User:w",
            "--mode",
            "PARALLEL",
            "--input",
            "a",
            "--positions-topic",
            "p"),
        "--positions-topic is for --mode SHARDED only");
    assertBadInput(
        CliRun.run("kafka-acls", "b", "--principal", "User:w", "--mode", "FAST"),
        "Invalid value for option '--mode'");
    assertBadInput(CliRun.run("kafka-acls", "enrichment"), "Missing required option: '--principal");
  }

  private static void assertBadInput(CliRun run, String message) {
    assertThat(run.exitCode).as(run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains(message).doesNotContain("\tat ", "Exception");
    assertThat(run.err().lines().filter(l -> l.startsWith("pipekeeper: ")).count()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void helpSaysWhatItDoes() {
    CliRun help = CliRun.run("kafka-acls", "--help");
    assertThat(help.exitCode).isZero();
    assertThat(help.out())
        .contains(
            "Usage: pipekeeper kafka-acls",
            "--principal",
            "--mode",
            "--input",
            "--output",
            "--positions-topic",
            "--dead-letter-topic",
            "--legacy-idempotent-write",
            "--json",
            "Connects to nothing");
  }

  private static List<String> commands(CliRun run) {
    return run.out().lines().filter(l -> l.startsWith("kafka-acls.sh ")).toList();
  }
}
