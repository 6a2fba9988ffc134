package dev.pipekeeper.examples;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkUnits;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.JsonSerde;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * SHARDED, exactly-once per tenant: a multi-tenant ingester. Each tenant is a work unit of the
 * group {@value #NAME} (six by default, {@code tenant-1} … {@code tenant-6}; add or remove them
 * with {@code pipekeeper units ingester ...}). The member that owns a tenant polls the tenant's
 * external system (here {@link SimulatedTenantApi}) and writes each event to {@value #EVENTS},
 * keyed by tenant; the position it read up to is stored in {@value #POSITIONS} in the same
 * transaction, so a tenant that moves to another member resumes exactly where it stopped.
 */
public final class IngesterExample implements Example {
  public static final String NAME = "ingester";
  public static final String EVENTS = "ingest.events";
  public static final String POSITIONS = "ingester.positions";
  public static final int DEFAULT_TENANTS = 6;

  /** One event of a tenant's external system; {@code seq} numbers them without gaps. */
  public record Event(String tenant, long seq, String payload) {}

  private final Clock clock;
  private final int eventsPerSecond;

  /** Each tenant's system has 20 new events a second. */
  public IngesterExample() {
    this(Clock.systemUTC(), 20);
  }

  public IngesterExample(Clock clock, int eventsPerSecond) {
    this.clock = clock;
    this.eventsPerSecond = eventsPerSecond;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Mode mode() {
    return Mode.SHARDED;
  }

  @Override
  public String summary() {
    return "tenants' external systems -> ingest.events, resuming moved tenants; SHARDED";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.EXACTLY_ONCE;
  }

  @Override
  public List<ExampleTopic> topics() {
    return List.of(
        new ExampleTopic(EVENTS, 3, TopicUse.OUTPUT),
        new ExampleTopic(POSITIONS, 1, TopicUse.POSITIONS),
        new ExampleTopic(NAME + ".dlq", 1, TopicUse.DEAD_LETTER));
  }

  /** Adds the default tenants if the group has no units yet. */
  @Override
  public void prepare(Pipekeeper pipekeeper) {
    WorkUnits units = pipekeeper.workUnits(NAME);
    if (units.list().isEmpty()) {
      for (int i = 1; i <= DEFAULT_TENANTS; i++) {
        units.put(WorkUnit.of("tenant-" + i));
      }
    }
  }

  @Override
  public Pipeline build(Pipekeeper pipekeeper, KafkaClientSettings kafka) {
    return Pipeline.builder(
            NAME,
            Serdes.String(),
            JsonSerde.of(Event.class),
            Serdes.String(),
            JsonSerde.of(Event.class))
        .pipekeeper(pipekeeper)
        .kafka(kafka)
        .mode(Mode.SHARDED)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .sources(tenant -> new SimulatedTenantApi(tenant, clock, eventsPerSecond))
        .positionsTopic(POSITIONS)
        .processor((record, context) -> context.emit(EVENTS, record.key(), record.value()))
        .build();
  }
}
