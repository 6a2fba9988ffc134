package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.DeliveryException;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.Severity;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.monitor.KafkaAlertSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link KafkaAlertSink} against the real KRaft broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class KafkaAlertSinkIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final Duration SLACK = TestTimeouts.scaled(Duration.ofMillis(1500));
  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private static Alert alert(String key, AlertState state, Instant resolvedAt) {
    return new Alert(
        key,
        "orders-lag",
        RuleKind.CONSUMER_LAG,
        Severity.WARNING,
        state,
        Map.of("group", "enricher", "partition", "orders-0"),
        "lag 1200 > 1000 on orders-0 and growing",
        T0,
        T0.plusSeconds(60),
        resolvedAt,
        null,
        1,
        false,
        Map.of(),
        3,
        resolvedAt == null ? T0.plusSeconds(60) : resolvedAt);
  }

  @Test
  void firingAndResolvedAreWrittenKeyedAsJson(TestCluster cluster) {
    String topic = cluster.topic("alerts");
    String clientId = cluster.topic("sink");
    KafkaAlertSink sink =
        KafkaAlertSink.builder(cluster.bootstrapServers(), topic)
            .createTopic(2, 1) // the topic does not exist yet
            .kafkaProperty("client.id", clientId)
            .timeout(Duration.ofSeconds(5))
            .build();
    open.push(sink);
    assertThat(sink.name()).isEqualTo("kafka");
    assertThat(sink.topic()).isEqualTo(topic);

    String key = "orders-lag/enricher/orders-0";
    Alert firing = alert(key, AlertState.FIRING, null);
    Alert resolved = alert(key, AlertState.RESOLVED, T0.plusSeconds(300));
    sink.deliver(firing);
    sink.deliver(resolved);

    List<ConsumerRecord<String, String>> records = KafkaTopics.readCommitted(cluster, topic);
    assertThat(records).hasSize(2);
    assertThat(records).extracting(ConsumerRecord::key).containsOnly(key);
    assertThat(records)
        .as("one alert's transitions share a partition, in order")
        .extracting(ConsumerRecord::partition)
        .containsOnly(records.get(0).partition());
    assertThat(records)
        .extracting(r -> AlertCodec.fromJson(r.value().getBytes(StandardCharsets.UTF_8)))
        .containsExactly(firing, resolved);

    sink.close();
    sink.close(); // safe twice
    assertThatThrownBy(() -> sink.deliver(firing)).isInstanceOf(IllegalStateException.class);
    assertThat(KafkaProbeIT.threadsNamed(clientId)).as("producer threads after close").isEmpty();
  }

  @Test
  void aBrokerThatIsGoneFailsTheDeliveryWithinTheTimeout(TestCluster cluster) throws Exception {
    String topic = cluster.topic("alerts");
    KafkaTopics.create(cluster, 1, topic);
    TcpProxy proxy = TcpProxy.start("127.0.0.1", cluster.kafka().brokerPort());
    open.push(proxy);
    proxy.cut();
    KafkaAlertSink sink =
        KafkaAlertSink.builder(proxy.address(), topic)
            .kafkaProperty("client.id", cluster.topic("sink"))
            .timeout(TIMEOUT)
            .build();
    open.push(sink);
    Alert firing = alert("kafka/down", AlertState.FIRING, null);

    for (int i = 0; i < 2; i++) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> sink.deliver(firing))
          .isInstanceOf(DeliveryException.class)
          .hasMessageContaining(topic)
          .hasMessageContaining("kafka/down");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("delivery attempt duration")
          .isLessThan(TIMEOUT.plus(SLACK));
    }

    proxy.restore(); // a retry, as the monitor makes, gets through
    org.awaitility.Awaitility.await()
        .atMost(TestTimeouts.scaled(Duration.ofSeconds(20)))
        .ignoreException(DeliveryException.class)
        .until(
            () -> {
              sink.deliver(firing);
              return true;
            });
    assertThat(KafkaTopics.readCommitted(cluster, topic))
        .extracting(ConsumerRecord::key)
        .contains("kafka/down");
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> KafkaAlertSink.builder("", "alerts"))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaAlertSink.builder("k:9092", "no spaces"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no spaces");
    assertThatThrownBy(() -> KafkaAlertSink.builder("k:9092", null))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaAlertSink.builder("k:9092", "a").timeout(Duration.ofMillis(5)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaAlertSink.builder("k:9092", "a").createTopic(0, 1))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> KafkaAlertSink.builder("k:9092", "a").createTopic(1, 0))
        .isInstanceOf(InvalidInputException.class);
  }
}
