package dev.pipekeeper.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, on its own: a SHARDED instance owns two units when the Kafka broker (a process of its
 * own, as in the fault scenarios) is killed ({@code kill -9}) and started again on its port and
 * data. The restart itself is slow, and no client can shorten it: the restarted node's controller
 * gives the dead node's registration a new broker session and refuses the new one's until that
 * session expires ({@code broker.session.timeout.ms}, 9 s by default). Once the broker answers
 * again, each unit must produce again within a few seconds: what the long runs measured as a unit's
 * 20 s start was a start made while the broker was restarting.
 */
class BrokerRestartIT {
  /** Kafka's default {@code broker.session.timeout.ms}, which the embedded broker keeps. */
  private static final Duration BROKER_SESSION = Duration.ofSeconds(9);

  private static final String PIPELINE = "restart-sharded";
  private static final String OUTPUT = "restart-out";
  private static final String POSITIONS = "restart-positions";
  private static final List<String> UNITS = List.of("t0", "t1");

  @TempDir Path dir;

  @Test
  void aShardedUnitProducesAgainSoonAfterTheRestartedBrokerAnswers() throws Exception {
    Duration bound = TestTimeouts.scaled(Duration.ofSeconds(60));
    try (KafkaBroker kafka = new KafkaBroker(dir.resolve("kafka"));
        EmbeddedZooKeeper zk =
            EmbeddedZooKeeper.builder()
                .quiet(true)
                .dataDir(dir.resolve("zookeeper"))
                .build()
                .start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(new NewTopic(OUTPUT, 2, (short) 1), new NewTopic(POSITIONS, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      try (Pipekeeper pk =
              Pipekeeper.builder()
                  .zookeeper(zk.connectString())
                  .cluster("restart")
                  .identity("w1")
                  .sessionTimeout(Duration.ofSeconds(2))
                  .build();
          KafkaConsumer<String, String> reader = reader(kafka.bootstrapServers())) {
        UNITS.forEach(unit -> pk.workUnits(PIPELINE).put(WorkUnit.of(unit)));
        long sourcesStart = System.currentTimeMillis();
        try (Pipeline pipeline =
            Pipeline.builder(
                    PIPELINE, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
                .pipekeeper(pk)
                .bootstrapServers(kafka.bootstrapServers())
                .mode(Mode.SHARDED)
                .guarantee(Guarantee.EXACTLY_ONCE)
                .positionsTopic(POSITIONS)
                .sources(unit -> new CountingSource(unit, 1_000_000, sourcesStart, 20))
                .processor(
                    (record, ctx) ->
                        ctx.emit(OUTPUT, record.key(), record.value().toUpperCase(Locale.ROOT)))
                .build()) {
          pipeline.start();
          Map<String, Long> seen = new TreeMap<>();
          await("output of every unit")
              .atMost(bound)
              .until(
                  () -> {
                    seen.putAll(read(reader, 0));
                    return seen.keySet().containsAll(upper(UNITS));
                  });

          long killed = System.currentTimeMillis();
          kafka.kill();
          kafka.start(); // a new process on the same port and data; returns once it answers
          long answered = System.currentTimeMillis();

          Map<String, Long> resumed = new TreeMap<>();
          await("output of every unit after the restart")
              .atMost(bound)
              .until(
                  () -> {
                    read(reader, answered)
                        .forEach(
                            (unit, millis) -> resumed.merge(unit, millis - answered, Math::min));
                    return resumed.keySet().containsAll(upper(UNITS));
                  });
          System.out.printf(
              "BrokerRestartIT: the broker answered %d ms after its kill; the units produced"
                  + " again %s ms after that%n",
              answered - killed, resumed);
          assertThat(answered - killed)
              .as("a restarted node waits out its dead predecessor's broker session")
              .isGreaterThanOrEqualTo(BROKER_SESSION.toMillis());
          assertThat(resumed.values())
              .as("ms from the broker answering to each unit's next output")
              .allSatisfy(
                  ms ->
                      assertThat(ms)
                          .isLessThan(TestTimeouts.scaled(Duration.ofSeconds(10)).toMillis()));
        }
      }
    }
  }

  private static List<String> upper(List<String> units) {
    return units.stream().map(u -> u.toUpperCase(Locale.ROOT)).toList();
  }

  /**
   * Polls once: the earliest output timestamp of each unit (upper-cased) later than {@code after}.
   */
  private static Map<String, Long> read(KafkaConsumer<String, String> reader, long after) {
    Map<String, Long> first = new TreeMap<>();
    for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
      if (r.timestamp() > after) {
        first.merge(r.value().substring(0, r.value().indexOf('-')), r.timestamp(), Math::min);
      }
    }
    return first;
  }

  /** A reader of no group (nothing to find again after the restart but the partitions). */
  private static KafkaConsumer<String, String> reader(String bootstrap) {
    KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new StringDeserializer());
    List<TopicPartition> partitions =
        List.of(new TopicPartition(OUTPUT, 0), new TopicPartition(OUTPUT, 1));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }
}
