package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.InvalidInputException;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** What each mode is allowed, and the two renderings. */
class PipelineAclsTest {

  @Test
  void aParallelExactlyOncePipelineReadsItsInputsAndGroupAndWritesWithItsMembersIds() {
    PipelineAcls acls =
        PipelineAcls.builder("enrich").inputs("orders").outputs("orders.out", "orders.big").build();
    assertThat(acls.acls())
        .extracting(
            PipelineAcls.Acl::resourceType,
            PipelineAcls.Acl::resourceName,
            PipelineAcls.Acl::patternType,
            PipelineAcls.Acl::operation)
        .containsExactly(
            tuple(ResourceType.TOPIC, "orders", PatternType.LITERAL, AclOperation.READ),
            tuple(ResourceType.GROUP, "enrich", PatternType.LITERAL, AclOperation.READ),
            tuple(ResourceType.TOPIC, "orders.out", PatternType.LITERAL, AclOperation.WRITE),
            tuple(ResourceType.TOPIC, "orders.big", PatternType.LITERAL, AclOperation.WRITE),
            tuple(ResourceType.TOPIC, "enrich.dlq", PatternType.LITERAL, AclOperation.WRITE),
            tuple(
                ResourceType.TRANSACTIONAL_ID,
                "pipekeeper-enrich:member:",
                PatternType.PREFIXED,
                AclOperation.WRITE));
  }

  @Test
  void aSingletonPipelineHasOneLiteralTransactionalId() {
    PipelineAcls acls =
        PipelineAcls.builder("sched").mode(Mode.SINGLETON).inputs("ticks").outputs("runs").build();
    assertThat(acls.acls())
        .extracting(PipelineAcls.Acl::resourceType, PipelineAcls.Acl::resourceName)
        .contains(
            tuple(ResourceType.GROUP, "sched"),
            tuple(ResourceType.TRANSACTIONAL_ID, "pipekeeper-sched"));
    assertThat(acls.acls())
        .filteredOn(a -> a.resourceType() == ResourceType.TRANSACTIONAL_ID)
        .extracting(PipelineAcls.Acl::patternType)
        .containsExactly(PatternType.LITERAL);
  }

  @Test
  void aShardedPipelineHasNoGroupAndReadsAndWritesItsPositions() {
    PipelineAcls acls =
        PipelineAcls.builder("ingest")
            .mode(Mode.SHARDED)
            .outputs("events")
            .positionsTopic("ingest.pos")
            .build();
    assertThat(acls.acls())
        .extracting(
            PipelineAcls.Acl::resourceType,
            PipelineAcls.Acl::resourceName,
            PipelineAcls.Acl::operation)
        .containsExactly(
            tuple(ResourceType.TOPIC, "ingest.pos", AclOperation.READ),
            tuple(ResourceType.TOPIC, "ingest.pos", AclOperation.WRITE),
            tuple(ResourceType.TOPIC, "events", AclOperation.WRITE),
            tuple(ResourceType.TOPIC, "ingest.dlq", AclOperation.WRITE),
            tuple(ResourceType.TRANSACTIONAL_ID, "pipekeeper-ingest:unit:", AclOperation.WRITE));
    assertThat(acls.positionsTopic()).contains("ingest.pos");
  }

  @Test
  void oneNamesPrefixDoesNotStartAnotherNamesIds() {
    String a = prefix(PipelineAcls.builder("a").inputs("t").build());
    String ab = prefix(PipelineAcls.builder("a-b").inputs("t").build());
    assertThat(ab).doesNotStartWith(a);
    assertThat("pipekeeper-a-b").doesNotStartWith(a); // SINGLETON a-b's literal id
    String sharded = prefix(PipelineAcls.builder("a").mode(Mode.SHARDED).build());
    assertThat(prefix(PipelineAcls.builder("a.b").mode(Mode.SHARDED).build()))
        .doesNotStartWith(sharded);
  }

  private static String prefix(PipelineAcls acls) {
    return acls.acls().stream()
        .filter(acl -> acl.resourceType() == ResourceType.TRANSACTIONAL_ID)
        .findFirst()
        .orElseThrow()
        .resourceName();
  }

  @Test
  void atLeastOnceNeedsNoTransactionalIdAndTheClusterOnlyForOldBrokers() {
    PipelineAcls.Builder builder =
        PipelineAcls.builder("p").guarantee(Guarantee.AT_LEAST_ONCE).inputs("in");
    assertThat(builder.build().acls())
        .extracting(PipelineAcls.Acl::resourceType)
        .doesNotContain(ResourceType.TRANSACTIONAL_ID, ResourceType.CLUSTER);
    assertThat(builder.legacyIdempotentWrite(true).build().acls())
        .filteredOn(a -> a.resourceType() == ResourceType.CLUSTER)
        .extracting(PipelineAcls.Acl::operation)
        .containsExactly(AclOperation.IDEMPOTENT_WRITE);
    assertThat(PipelineAcls.builder("p").inputs("in").legacyIdempotentWrite(true).build().acls())
        .extracting(PipelineAcls.Acl::resourceType)
        .doesNotContain(ResourceType.CLUSTER);
  }

  @Test
  void aTopicBothReadAndWrittenIsListedOncePerOperation() {
    PipelineAcls acls = PipelineAcls.builder("p").inputs("t").outputs("t", "t").build();
    assertThat(acls.operationsOnTopic("t")).containsExactly(AclOperation.READ, AclOperation.WRITE);
  }

  @Test
  void bindingsAllowThePrincipalFromAnyHost() {
    List<AclBinding> bindings = PipelineAcls.builder("p").inputs("in").build().bindings("User:w");
    assertThat(bindings).hasSize(4);
    assertThat(bindings)
        .allSatisfy(
            b -> {
              assertThat(b.entry().principal()).isEqualTo("User:w");
              assertThat(b.entry().host()).isEqualTo("*");
              assertThat(b.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
            });
  }

  @Test
  void commandLinesAreKafkaAclsInvocations() {
    List<String> lines =
        PipelineAcls.builder("p")
            .inputs("in")
            .guarantee(Guarantee.AT_LEAST_ONCE)
            .legacyIdempotentWrite(true)
            .build()
            .kafkaAclsCommands("User:CN=app, O=x", "kafka:9093", "admin.properties");
    assertThat(lines)
        .contains(
            "kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add"
                + " --allow-principal 'User:CN=app, O=x' --operation Read --topic in",
            "kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add"
                + " --allow-principal 'User:CN=app, O=x' --operation Read --group p",
            "kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add"
                + " --allow-principal 'User:CN=app, O=x' --operation IdempotentWrite --cluster");
    assertThat(
            PipelineAcls.builder("p").inputs("in").build().kafkaAclsCommands("User:w", "k:1", null))
        .contains(
            "kafka-acls.sh --bootstrap-server k:1 --add --allow-principal User:w --operation Write"
                + " --transactional-id pipekeeper-p:member: --resource-pattern-type prefixed");
    assertThat(lines.get(0)).startsWith("# ");
  }

  @Test
  void jsonHoldsEveryAcl() throws Exception {
    JsonNode json =
        new ObjectMapper()
            .readTree(PipelineAcls.builder("p").inputs("in").build().toJson("User:w"));
    assertThat(json.get("pipeline").asText()).isEqualTo("p");
    assertThat(json.get("principal").asText()).isEqualTo("User:w");
    assertThat(json.get("acls")).hasSize(4);
    JsonNode txn = json.get("acls").get(3);
    assertThat(txn.get("resourceType").asText()).isEqualTo("TRANSACTIONAL_ID");
    assertThat(txn.get("name").asText()).isEqualTo("pipekeeper-p:member:");
    assertThat(txn.get("patternType").asText()).isEqualTo("PREFIXED");
    assertThat(txn.get("operation").asText()).isEqualTo("WRITE");
    assertThat(txn.get("why").asText()).isNotBlank();
  }

  @Test
  void badInputIsRefusedNamingIt() {
    assertThatThrownBy(() -> PipelineAcls.builder("p").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least one input topic");
    assertThatThrownBy(() -> PipelineAcls.builder("p").mode(Mode.SHARDED).inputs("x").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("sources");
    assertThatThrownBy(() -> PipelineAcls.builder("p").inputs("bad topic").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("input topic 'bad topic'");
    assertThatThrownBy(() -> PipelineAcls.builder("bad name"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("pipeline name");
    PipelineAcls acls = PipelineAcls.builder("p").inputs("in").build();
    assertThatThrownBy(() -> acls.bindings("writer"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("User:NAME");
    assertThatThrownBy(() -> acls.toJson("User:"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("User:NAME");
  }
}
