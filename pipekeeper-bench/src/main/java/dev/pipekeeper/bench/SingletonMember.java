package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A member that {@link SingletonFailoverBench} kills with {@code kill -9}: a child JVM running one
 * instance of an exactly-once SINGLETON pipeline that upper-cases each input value and appends its
 * own member id ({@code value-17} → {@code VALUE-17 m2}), so the output tells which member wrote it
 * (and the header {@code pipekeeper.epoch}, which term). Lines: {@code SESSION <negotiated ms>}
 * once connected, {@code STARTED <member>} once the instance contends for the role. It leaves when
 * its standard input closes.
 *
 * <p>Arguments: ZooKeeper connect string, cluster, bootstrap servers, pipeline, member id, input
 * topic, output topic, session timeout in ms.
 */
public final class SingletonMember {
  private SingletonMember() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 8) {
      throw new IllegalArgumentException(
          "usage: ZK_CONNECT CLUSTER BOOTSTRAP PIPELINE MEMBER INPUT OUTPUT SESSION_MS");
    }
    String output = args[6];
    try (Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(args[0])
                .cluster(args[1])
                .identity(args[4])
                .sessionTimeout(Duration.ofMillis(Long.parseLong(args[7])))
                .build();
        Pipeline pipeline =
            Pipeline.builder(
                    args[3], Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
                .pipekeeper(pk)
                .bootstrapServers(args[2])
                .topics(args[5])
                .mode(Mode.SINGLETON)
                .guarantee(Guarantee.EXACTLY_ONCE)
                .processor(
                    (record, ctx) ->
                        ctx.emit(
                            output,
                            record.key(),
                            record.value().toUpperCase(Locale.ROOT) + " " + ctx.memberId()))
                .build()) {
      System.out.println("SESSION " + pk.negotiatedSessionTimeout().toMillis());
      System.out.flush();
      pipeline.start();
      System.out.println("STARTED " + args[4]);
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the end of standard input
      }
    }
  }
}
