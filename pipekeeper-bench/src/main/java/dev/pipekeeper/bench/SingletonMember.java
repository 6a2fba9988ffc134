package dev.pipekeeper.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;
import org.slf4j.LoggerFactory;

/**
 * A member that {@link SingletonFailoverBench} kills with {@code kill -9}: a child JVM running one
 * instance of an exactly-once SINGLETON pipeline that upper-cases each input value and appends its
 * own member id ({@code value-17} → {@code VALUE-17 m2}), so the output tells which member wrote it
 * (and the header {@code pipekeeper.epoch}, which term). Lines: {@code SESSION <negotiated ms>}
 * once connected, {@code STARTED <member>} once the instance contends for the role, {@code LEADS
 * <nanos> <epoch> <initTransactions ms> <partitions and committed offsets ms>} when a term it leads
 * has opened (read from the pipeline's own INFO line, which says how long those two steps took),
 * and {@code CLOSING <nanos>} when its standard input has closed and it begins to close; it then
 * leaves. The nanos are {@link System#nanoTime()}, which on Linux is the system's monotonic clock
 * and so comparable across the JVMs of one machine.
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
    reportTermsOpened();
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
      System.out.println("CLOSING " + System.nanoTime());
      System.out.flush();
    }
  }

  /**
   * The logger of the SINGLETON implementation, by name: the benchmark reads one of its lines and
   * does not depend on the class, which is internal.
   */
  private static final String PIPELINE_LOGGER = "dev.pipekeeper.kafka.internal.SingletonPipeline";

  private static final Pattern LEADS =
      Pattern.compile(
          "leads with epoch (\\d+),.*initTransactions (\\d+) ms, partitions and committed offsets"
              + " (\\d+) ms");

  /**
   * Prints {@code LEADS ...} for each of the pipeline's "leads with epoch" lines, when it is logged
   * (right after the term opened); its WARN and ERROR lines go to standard error as before, its
   * other INFO lines nowhere.
   */
  private static void reportTermsOpened() {
    Logger logger = (Logger) LoggerFactory.getLogger(PIPELINE_LOGGER);
    AppenderBase<ILoggingEvent> appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            long now = System.nanoTime();
            Matcher leads = LEADS.matcher(event.getFormattedMessage());
            if (leads.find()) {
              System.out.println(
                  "LEADS "
                      + now
                      + " "
                      + leads.group(1)
                      + " "
                      + leads.group(2)
                      + " "
                      + leads.group(3));
              System.out.flush();
            } else if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
              System.err.println(
                  event.getLevel() + " SingletonPipeline - " + event.getFormattedMessage());
            }
          }
        };
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
  }
}
