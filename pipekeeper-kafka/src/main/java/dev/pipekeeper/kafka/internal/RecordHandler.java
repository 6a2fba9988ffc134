package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.locks.Locks;
import dev.pipekeeper.kafka.PipelineContext;
import dev.pipekeeper.kafka.PipelineHeaders;
import dev.pipekeeper.kafka.PipelineKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One input record through the processor, the same in every mode: deserialized here (so a record
 * that cannot be deserialized is handled like one whose processing throws), retried {@link
 * PipelineKeys#RETRIES} times (read at each {@link #newBatch()}), then dead-lettered with the error
 * in its headers. What an attempt emits is sent only once it returned normally, so a failed attempt
 * leaves no output.
 */
final class RecordHandler<KI, VI, KO, VO> {
  private static final Logger LOG = LoggerFactory.getLogger(RecordHandler.class);

  private final PipelineSettings<KI, VI, KO, VO> settings;
  private final String memberId;
  private final ConfigView config;
  private final IntSupplier liveRetries;
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong emitted = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private int retries;

  /**
   * @param retries the live {@link PipelineKeys#RETRIES}, read at each {@link #newBatch()}
   */
  RecordHandler(
      PipelineSettings<KI, VI, KO, VO> settings,
      String memberId,
      ConfigView config,
      IntSupplier retries) {
    this.settings = settings;
    this.memberId = memberId;
    this.config = config;
    this.liveRetries = retries;
    this.retries = retries.getAsInt();
  }

  long deadLettered() {
    return deadLettered.get();
  }

  /** Output records sent (dead letters not counted). */
  long emitted() {
    return emitted.get();
  }

  /** Processing attempts that threw (each retry counts). */
  long errors() {
    return errors.get();
  }

  /** Reads the live settings that hold for a whole batch (not once per record). */
  void newBatch() {
    retries = liveRetries.getAsInt();
  }

  /**
   * Processes {@code raw} under {@code role}, sending its output (each record stamped with the
   * role's headers) or its dead letter through {@code producer}, each send's outcome to {@code
   * sends}.
   *
   * @throws KafkaException if sending failed: the batch must not be committed
   */
  void handle(
      ConsumerRecord<byte[], byte[]> raw,
      Producer<byte[], byte[]> producer,
      SendErrors sends,
      Role role) {
    // Each ProducerRecord copies the headers it is given into its own RecordHeaders, so the
    // role's list is shared as it is; none at all (null) is the cheapest for the producer.
    List<Header> added = role.headers().isEmpty() ? null : role.headers();
    RuntimeException last = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      Context context = new Context(role, added);
      try {
        settings.processor().process(deserialize(raw), context);
        emitted.addAndGet(context.sendHeld(producer, sends));
        return;
      } catch (KafkaException sending) {
        throw sending;
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        last = e;
      }
    }
    deadLetter(raw, last, producer, sends);
  }

  private ConsumerRecord<KI, VI> deserialize(ConsumerRecord<byte[], byte[]> raw) {
    KI key =
        raw.key() == null
            ? null
            : settings.keyIn().deserializer().deserialize(raw.topic(), raw.headers(), raw.key());
    VI value =
        raw.value() == null
            ? null
            : settings
                .valueIn()
                .deserializer()
                .deserialize(raw.topic(), raw.headers(), raw.value());
    return new ConsumerRecord<>(
        raw.topic(),
        raw.partition(),
        raw.offset(),
        raw.timestamp(),
        raw.timestampType(),
        raw.serializedKeySize(),
        raw.serializedValueSize(),
        key,
        value,
        raw.headers(),
        raw.leaderEpoch());
  }

  private void deadLetter(
      ConsumerRecord<byte[], byte[]> raw,
      RuntimeException error,
      Producer<byte[], byte[]> producer,
      SendErrors sends) {
    RecordHeaders headers = new RecordHeaders(raw.headers().toArray());
    headers.add(PipelineHeaders.DEAD_LETTER_PIPELINE, bytes(settings.name()));
    headers.add(PipelineHeaders.ERROR_CLASS, bytes(error.getClass().getName()));
    headers.add(PipelineHeaders.ERROR_MESSAGE, bytes(String.valueOf(error.getMessage())));
    headers.add(PipelineHeaders.SOURCE_TOPIC, bytes(raw.topic()));
    headers.add(PipelineHeaders.SOURCE_PARTITION, bytes(Integer.toString(raw.partition())));
    headers.add(PipelineHeaders.SOURCE_OFFSET, bytes(Long.toString(raw.offset())));
    producer.send(
        new ProducerRecord<>(settings.deadLetterTopic(), null, raw.key(), raw.value(), headers),
        sends);
    deadLettered.incrementAndGet();
    LOG.warn(
        "pipeline {}: record {}-{}@{} dead-lettered to {} after {}",
        settings.name(),
        raw.topic(),
        raw.partition(),
        raw.offset(),
        settings.deadLetterTopic(),
        error.toString());
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The context of one processing attempt: emits are held until the attempt succeeds. Most
   * processors emit one record per input record, so the first is held in a field and a list is only
   * made for a second.
   */
  private final class Context implements PipelineContext<KO, VO> {
    private final Role role;
    private final List<Header> headers;
    private ProducerRecord<byte[], byte[]> first;
    private List<ProducerRecord<byte[], byte[]>> more;

    /**
     * @param headers added to every record emitted; null for none
     */
    Context(Role role, List<Header> headers) {
      this.role = role;
      this.headers = headers;
    }

    /** Sends what the attempt emitted, in the order it was emitted; how many records that was. */
    int sendHeld(Producer<byte[], byte[]> producer, SendErrors sends) {
      if (first == null) {
        return 0;
      }
      producer.send(first, sends);
      if (more == null) {
        return 1;
      }
      for (ProducerRecord<byte[], byte[]> record : more) {
        producer.send(record, sends);
      }
      return 1 + more.size();
    }

    @Override
    public String pipeline() {
      return settings.name();
    }

    @Override
    public String memberId() {
      return memberId;
    }

    @Override
    public ConfigView config() {
      return config;
    }

    @Override
    public Optional<Lease> lease() {
      return role.lease();
    }

    @Override
    public Optional<UnitOwnership> unit() {
      return role.unit();
    }

    @Override
    public Locks locks() {
      return settings.pipekeeper().locks();
    }

    @Override
    public MeterRegistry metrics() {
      return settings.metrics();
    }

    @Override
    public void emit(String topic, KO key, VO value) {
      byte[] k = key == null ? null : settings.keyOut().serializer().serialize(topic, key);
      byte[] v = value == null ? null : settings.valueOut().serializer().serialize(topic, value);
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, k, v, headers);
      if (first == null) {
        first = record;
      } else {
        if (more == null) {
          more = new ArrayList<>();
        }
        more.add(record);
      }
    }
  }
}
