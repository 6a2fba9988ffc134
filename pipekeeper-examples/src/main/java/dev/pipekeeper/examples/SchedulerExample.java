package dev.pipekeeper.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.JsonSerde;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineContext;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * SINGLETON, exactly-once: a scheduler. Its clock is the topic {@value #TICKS}, one record per
 * second whose value is the tick number (for example the Unix time in seconds, as {@link TickClock}
 * writes it). For every tick it runs the jobs due at that tick: job J with period P (seconds) is
 * due when {@code tick % P == 0}. A run is a record on {@value #RUNS} keyed by the job, stamped
 * with the leader's epoch. The jobs are the live object {@value #JOBS} (name → period, default
 * {@code {"report": 10, "cleanup": 60}}).
 *
 * <p>Only the leader of the instances runs, and a run is written exactly once per due tick across
 * leader changes: the new leader's transactional producer fences the old one inside Kafka, and
 * continues from the last committed tick. (Two clocks writing the same tick would make two runs:
 * run one clock.)
 */
public final class SchedulerExample implements Example {
  public static final String NAME = "scheduler";
  public static final String TICKS = "scheduler.ticks";
  public static final String RUNS = "scheduler.runs";
  public static final String JOBS = "scheduler.jobs";
  public static final Map<String, Integer> DEFAULT_JOBS = Map.of("report", 10, "cleanup", 60);

  private static final JsonNode DEFAULT_JOBS_JSON = new ObjectMapper().valueToTree(DEFAULT_JOBS);

  /** One run of a job: due at {@code tick}, run by the leader of {@code epoch}. */
  public record Run(String job, long tick, long epoch) {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Mode mode() {
    return Mode.SINGLETON;
  }

  @Override
  public String summary() {
    return "scheduler.ticks -> scheduler.runs: live jobs, run once per due tick; SINGLETON";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.EXACTLY_ONCE;
  }

  @Override
  public List<ExampleTopic> topics() {
    return List.of(
        new ExampleTopic(TICKS, 1, TopicUse.INPUT),
        new ExampleTopic(RUNS, 1, TopicUse.OUTPUT),
        new ExampleTopic(NAME + ".dlq", 1, TopicUse.DEAD_LETTER));
  }

  @Override
  public void prepare(Pipekeeper pipekeeper) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode period = json.createObjectNode().put("type", "integer").put("minimum", 1);
    Examples.ensureSchema(
        pipekeeper,
        this,
        JOBS,
        json.createObjectNode().put("type", "object").set("additionalProperties", period));
  }

  @Override
  public Pipeline build(Pipekeeper pipekeeper, KafkaClientSettings kafka) {
    return Pipeline.builder(
            NAME, Serdes.String(), Serdes.Long(), Serdes.String(), JsonSerde.of(Run.class))
        .pipekeeper(pipekeeper)
        .kafka(kafka)
        .topics(TICKS)
        .mode(Mode.SINGLETON)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .processor(SchedulerExample::runDueJobs)
        .build();
  }

  static void runDueJobs(ConsumerRecord<String, Long> tick, PipelineContext<String, Run> context) {
    if (tick.value() == null) {
      throw new IllegalArgumentException("a tick needs its number as its value");
    }
    long epoch =
        context
            .lease()
            .map(Lease::epoch)
            .orElseThrow(() -> new IllegalStateException("the scheduler runs only as leader"));
    JsonNode jobs = context.config().raw(JOBS).orElse(DEFAULT_JOBS_JSON);
    for (Map.Entry<String, JsonNode> job : jobs.properties()) {
      long period = job.getValue().asLong();
      if (period > 0 && tick.value() % period == 0) {
        context.emit(RUNS, job.getKey(), new Run(job.getKey(), tick.value(), epoch));
      }
    }
  }
}
