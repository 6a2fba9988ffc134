package dev.pipekeeper.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.JsonSerde;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineContext;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * PARALLEL, exactly-once: enriches each order of {@value #ORDERS} with its customer's tier and
 * whether it is large, to {@value #ENRICHED}; large orders also go to {@value #LARGE}. What "large"
 * means is the live threshold {@value #THRESHOLD} (a number ≥ 0, default 1000), and the tiers are
 * the live object {@value #TIERS} (customer → tier, default "standard"): an operator changes them
 * with {@code pipekeeper config set --scope pipeline/enrichment ...} and every instance applies the
 * change to the next record, without a restart.
 */
public final class EnrichmentExample implements Example {
  public static final String NAME = "enrichment";
  public static final String ORDERS = "orders";
  public static final String ENRICHED = "orders.enriched";
  public static final String LARGE = "orders.large";
  public static final String THRESHOLD = "enrichment.threshold";
  public static final String TIERS = "enrichment.tiers";
  public static final double DEFAULT_THRESHOLD = 1000;

  /** An order as it arrives, keyed by customer. */
  public record Order(String id, String customer, double amount) {}

  /** An order with what the pipeline added, and the threshold it was judged by. */
  public record EnrichedOrder(
      String id, String customer, double amount, String tier, boolean large, double threshold) {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Mode mode() {
    return Mode.PARALLEL;
  }

  @Override
  public String summary() {
    return "orders -> orders.enriched (+ orders.large), with a live threshold; PARALLEL, exactly-once";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.EXACTLY_ONCE;
  }

  @Override
  public List<ExampleTopic> topics() {
    return List.of(
        new ExampleTopic(ORDERS, 6, TopicUse.INPUT),
        new ExampleTopic(ENRICHED, 6, TopicUse.OUTPUT),
        new ExampleTopic(LARGE, 1, TopicUse.OUTPUT),
        new ExampleTopic(NAME + ".dlq", 1, TopicUse.DEAD_LETTER));
  }

  @Override
  public void prepare(Pipekeeper pipekeeper) {
    ObjectMapper json = new ObjectMapper();
    Examples.ensureSchema(
        pipekeeper,
        this,
        THRESHOLD,
        json.createObjectNode().put("type", "number").put("minimum", 0));
    Examples.ensureSchema(
        pipekeeper,
        this,
        TIERS,
        json.createObjectNode()
            .put("type", "object")
            .set("additionalProperties", json.createObjectNode().put("type", "string")));
  }

  @Override
  public Pipeline build(Pipekeeper pipekeeper, KafkaClientSettings kafka) {
    return Pipeline.builder(
            NAME,
            Serdes.String(),
            JsonSerde.of(Order.class),
            Serdes.String(),
            JsonSerde.of(EnrichedOrder.class))
        .pipekeeper(pipekeeper)
        .kafka(kafka)
        .topics(ORDERS)
        .mode(Mode.PARALLEL)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .processor(EnrichmentExample::enrich)
        .build();
  }

  static void enrich(
      ConsumerRecord<String, Order> record, PipelineContext<String, EnrichedOrder> context) {
    Order order = record.value();
    if (order == null || order.id() == null || order.customer() == null) {
      throw new IllegalArgumentException("an order needs an id and a customer: " + order);
    }
    double threshold = context.config().get(THRESHOLD, Double.class, DEFAULT_THRESHOLD);
    String tier =
        context
            .config()
            .raw(TIERS)
            .map(tiers -> tiers.path(order.customer()))
            .filter(JsonNode::isTextual)
            .map(JsonNode::asText)
            .orElse("standard");
    boolean large = order.amount() >= threshold;
    EnrichedOrder enriched =
        new EnrichedOrder(order.id(), order.customer(), order.amount(), tier, large, threshold);
    context.emit(ENRICHED, order.customer(), enriched);
    if (large) {
      context.emit(LARGE, order.customer(), enriched);
    }
  }
}
