package dev.pipekeeper.kafka;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;

/**
 * An upper-casing PARALLEL pipeline instance in a JVM of its own, for tests that kill it. Lines:
 * {@code STARTED <member>} once it consumes, {@code PROCESSED <count>} after every 50 records
 * processed (not necessarily committed yet). It leaves when its standard input closes.
 *
 * <p>Arguments: ZooKeeper connect string, cluster, bootstrap servers, pipeline, member id, input
 * topic, output topic, guarantee, milliseconds of "work" per record (so a kill lands mid-stream),
 * mode, session timeout in ms.
 */
public final class PipelineProcess {
  private PipelineProcess() {}

  /**
   * Starts an instance of pipeline {@code name} as member {@code member} in a child JVM, processing
   * each record for 2 ms, upper-casing {@code in} into {@code out} with exactly-once output.
   */
  static ChildJvm start(
      TestCluster cluster, String name, String member, Mode mode, Duration session) {
    return ChildJvm.start(
        PipelineProcess.class,
        List.of(
            cluster.zkConnect(),
            cluster.cluster(),
            cluster.bootstrapServers(),
            name,
            member,
            cluster.topic("in"),
            cluster.topic("out"),
            Guarantee.EXACTLY_ONCE.name(),
            "2",
            mode.name(),
            Long.toString(session.toMillis())));
  }

  private static void work(long millis) {
    try {
      Thread.sleep(millis); // the record's processing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws IOException {
    AtomicLong seen = new AtomicLong();
    try (Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(args[0])
                .cluster(args[1])
                .identity(args[4])
                .sessionTimeout(Duration.ofMillis(Long.parseLong(args[10])))
                .build();
        Pipeline pipeline =
            Pipeline.builder(
                    args[3], Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
                .pipekeeper(pk)
                .bootstrapServers(args[2])
                .topics(args[5])
                .guarantee(Guarantee.valueOf(args[7]))
                .mode(Mode.valueOf(args[9]))
                .kafkaProperty("session.timeout.ms", 6000)
                .kafkaProperty("heartbeat.interval.ms", 1000)
                .kafkaProperty("transaction.timeout.ms", 10000)
                .kafkaProperty("max.poll.records", 50)
                .processor(
                    (record, ctx) -> {
                      work(Long.parseLong(args[8]));
                      ctx.emit(args[6], record.key(), record.value().toUpperCase(Locale.ROOT));
                      long done = seen.incrementAndGet();
                      if (done % 50 == 0) {
                        System.out.println("PROCESSED " + done);
                        System.out.flush();
                      }
                    })
                .build()
                .start()) {
      System.out.println("STARTED " + args[4] + " " + pipeline.name());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the end of standard input
      }
    }
  }
}
