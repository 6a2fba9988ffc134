package dev.pipekeeper.kafka.monitor;

import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import dev.pipekeeper.core.monitor.DeliveryException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link KafkaAlertSink}: one idempotent producer, made on the first delivery. */
final class DefaultKafkaAlertSink implements KafkaAlertSink {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaAlertSink.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private enum State {
    OPEN,
    CLOSED
  }

  private final String bootstrapServers;
  private final String topic;
  private final Map<String, Object> kafka;
  private final Duration timeout;
  private final Optional<KafkaAlertSinkSettings.TopicToCreate> createTopic;
  private final String clientId;
  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);

  // Guarded by this.
  private KafkaProducer<byte[], byte[]> producer;
  private boolean delivered;
  private boolean topicReady;

  DefaultKafkaAlertSink(KafkaAlertSinkSettings settings) {
    this.bootstrapServers = settings.bootstrapServers();
    this.topic = settings.topic();
    this.kafka = settings.kafkaProperties();
    this.timeout = settings.timeout();
    this.createTopic = settings.createTopic();
    Object given = kafka.get(ProducerConfig.CLIENT_ID_CONFIG);
    this.clientId =
        given != null ? given.toString() : "pipekeeper-alert-sink-" + SEQUENCE.incrementAndGet();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String topic() {
    return topic;
  }

  @Override
  public synchronized void deliver(Alert alert) {
    Objects.requireNonNull(alert, "alert");
    if (state.get() != State.OPEN) {
      throw new IllegalStateException("the Kafka alert sink for topic " + topic + " is closed");
    }
    if (createTopic.isPresent() && !topicReady) {
      createTopic(createTopic.get());
    }
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic, alert.key().getBytes(StandardCharsets.UTF_8), AlertCodec.toJson(alert));
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      Future<RecordMetadata> ack = producer().send(record);
      long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      ack.get(left, TimeUnit.MILLISECONDS);
      delivered = true;
    } catch (TimeoutException e) {
      throw failed(alert, "no acknowledgement within " + Durations.format(timeout), null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw failed(alert, reason(cause), cause);
    } catch (KafkaException e) {
      throw failed(alert, reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(alert, "interrupted while waiting for the acknowledgement", e);
    }
  }

  private String reason(Throwable cause) {
    if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "no acknowledgement within "
          + Durations.format(timeout)
          + " ("
          + Reasons.of(cause)
          + ")";
    }
    return Reasons.of(cause);
  }

  private DeliveryException failed(Alert alert, String reason, Throwable cause) {
    // A producer that worked and then failed is replaced, in case it is stuck; one that never
    // delivered is kept (it keeps trying to reach the cluster), so that a sink retried against a
    // cluster that is down does not make, and log, a new producer per attempt.
    if (delivered) {
      closeProducer(Duration.ZERO);
    }
    String message =
        "alert "
            + alert.key()
            + " ("
            + alert.state()
            + ") was not written to Kafka topic "
            + topic
            + ": "
            + reason;
    return cause == null ? new DeliveryException(message) : new DeliveryException(message, cause);
  }

  private void createTopic(KafkaAlertSinkSettings.TopicToCreate settings) {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin");
    int ms = (int) timeout.toMillis();
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(
              List.of(new NewTopic(topic, settings.partitions(), settings.replicationFactor())),
              new CreateTopicsOptions().timeoutMs(ms))
          .all()
          .get(ms, TimeUnit.MILLISECONDS);
      LOG.info(
          "Kafka alert sink: created topic {} ({} partitions, replication factor {})",
          topic,
          settings.partitions(),
          settings.replicationFactor());
      topicReady = true;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof TopicExistsException) {
        topicReady = true;
        return;
      }
      throw new DeliveryException(
          "cannot create Kafka topic " + topic + " for alerts: " + reason(cause), cause);
    } catch (TimeoutException e) {
      throw new DeliveryException(
          "cannot create Kafka topic "
              + topic
              + " for alerts: no answer within "
              + Durations.format(timeout));
    } catch (KafkaException e) {
      throw new DeliveryException(
          "cannot create Kafka topic " + topic + " for alerts: " + Reasons.of(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException("interrupted while creating Kafka topic " + topic, e);
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      int ms = (int) timeout.toMillis();
      Map<String, Object> props = new HashMap<>(kafka);
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      // One record per delivery, sent at once; the producer gives up on it by the time the
      // delivery does, so nothing is left in its buffer to surprise a retry later.
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
      props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms);
      producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
      delivered = false;
    }
    return producer;
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    synchronized (this) {
      closeProducer(timeout);
    }
  }

  private void closeProducer(Duration wait) {
    if (producer != null) {
      try {
        producer.close(wait);
      } catch (RuntimeException e) {
        LOG.debug("Kafka alert sink: closing the producer failed", e);
      }
      producer = null;
      delivered = false;
    }
  }
}
