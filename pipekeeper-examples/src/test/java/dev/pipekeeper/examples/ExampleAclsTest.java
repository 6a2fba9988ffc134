package dev.pipekeeper.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.PipelineAcls;
import org.junit.jupiter.api.Test;

/** Each example's Kafka ACLs come from its one declaration of topics, mode and guarantee. */
class ExampleAclsTest {

  @Test
  void theEnrichmentReadsOrdersAndWritesItsTwoOutputs() {
    PipelineAcls acls = Examples.named(EnrichmentExample.NAME).acls();
    assertThat(acls.mode()).isEqualTo(Mode.PARALLEL);
    assertThat(acls.inputs()).containsExactly(EnrichmentExample.ORDERS);
    assertThat(acls.outputs()).containsExactly(EnrichmentExample.ENRICHED, EnrichmentExample.LARGE);
    assertThat(acls.deadLetterTopic()).isEqualTo("enrichment.dlq");
  }

  @Test
  void theSchedulerIsASingletonOnItsTicks() {
    PipelineAcls acls = Examples.named(SchedulerExample.NAME).acls();
    assertThat(acls.mode()).isEqualTo(Mode.SINGLETON);
    assertThat(acls.inputs()).containsExactly(SchedulerExample.TICKS);
    assertThat(acls.outputs()).containsExactly(SchedulerExample.RUNS);
  }

  @Test
  void theIngesterStoresPositionsAndReadsNoTopic() {
    PipelineAcls acls = Examples.named(IngesterExample.NAME).acls();
    assertThat(acls.mode()).isEqualTo(Mode.SHARDED);
    assertThat(acls.inputs()).isEmpty();
    assertThat(acls.outputs()).containsExactly(IngesterExample.EVENTS);
    assertThat(acls.positionsTopic()).contains(IngesterExample.POSITIONS);
  }

  @Test
  void everyExampleDeclaresTheModeItsAclsHave() {
    for (Example example : Examples.all()) {
      assertThat(example.acls().mode()).as(example.name()).isEqualTo(example.mode());
      assertThat(example.acls().guarantee()).as(example.name()).isEqualTo(example.guarantee());
    }
  }
}
