package dev.pipekeeper.faults;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineBuilder;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A process of {@link PipelineScenario}: one instance of an exactly-once pipeline (SINGLETON,
 * PARALLEL or SHARDED) that upper-cases each input value and appends its member id and the
 * configuration mark it runs with, the pipeline's live config key {@value ConfigConvergence#MARK}
 * ({@code r-17} → {@code R-17 w2 3}), so the output tells who wrote each record under which
 * configuration. SINGLETON and PARALLEL read the input topic; SHARDED reads, for each work unit it
 * owns, a {@link CountingSource} (the external system of that unit) and stores its positions in a
 * positions topic. Its ZooKeeper connection goes through the scenario's proxies; Kafka is reached
 * directly. Prints {@code READY ID} once started and leaves when its standard input closes.
 *
 * <p>Arguments: proxied connect string, cluster, bootstrap servers, pipeline, member id, input
 * topic (SHARDED: the positions topic), output topic, mode, session timeout in ms, and for SHARDED
 * the sources' records per unit, start (epoch ms) and pace (ms per record).
 */
public final class PipelineWorker {

  private PipelineWorker() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (PipekeeperException e) {
      // e.g. refused while a killed predecessor's session lives on: one line, and the fleet
      // starts it again
      System.err.println("worker " + args[4] + ": " + e.getMessage());
      System.exit(3);
    }
  }

  private static void run(String[] args) throws Exception {
    String id = args[4];
    String output = args[6];
    Mode mode = Mode.valueOf(args[7]);
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(args[0])
            .cluster(args[1])
            .identity(id)
            .sessionTimeout(Duration.ofMillis(Long.parseLong(args[8])))
            .connectionTimeout(Duration.ofSeconds(30))
            .build()) {
      PipelineBuilder<String, String, String, String> builder =
          Pipeline.builder(
                  args[3], Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
              .pipekeeper(pk)
              .bootstrapServers(args[2])
              .mode(mode)
              .guarantee(Guarantee.EXACTLY_ONCE)
              .processor(
                  (record, ctx) ->
                      ctx.emit(
                          output,
                          record.key(),
                          record.value().toUpperCase(Locale.ROOT)
                              + " "
                              + ctx.memberId()
                              + " "
                              + ctx.config().get(ConfigConvergence.MARK, Integer.class, 0)));
      if (mode == Mode.SHARDED) {
        int perUnit = Integer.parseInt(args[9]);
        long start = Long.parseLong(args[10]);
        long pace = Long.parseLong(args[11]);
        builder
            .positionsTopic(args[5])
            .sources(unit -> new CountingSource(unit, perUnit, start, pace));
      } else {
        builder.topics(args[5]);
      }
      try (Pipeline pipeline = builder.build()) {
        pipeline.start();
        System.out.println("READY " + id);
        System.out.flush();
        while (System.in.read() >= 0) {
          // until the scenario closes our standard input
        }
      }
    }
  }
}
