package dev.pipekeeper.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.kafka.Processor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * What {@link RecordHandler} sends for one input record: every emit of the attempt that returned
 * normally, in order, with the mode's headers; nothing of an attempt that threw; a dead letter with
 * the error once the retries are spent.
 */
class RecordHandlerTest {
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

  private static RecordHandler<String, String, String, String> handler(
      Processor<String, String, String, String> processor) {
    return new RecordHandler<>(
        TestSettings.of("handled", processor, 2, Map.of()), "member-1", null, () -> 2);
  }

  private static ConsumerRecord<byte[], byte[]> input(String key, String value) {
    return new ConsumerRecord<>("in", 3, 41, bytes(key), bytes(value));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : text(header.value());
  }

  @Test
  void everyEmitIsSentInOrderWithTheModesHeaders() {
    RecordHandler<String, String, String, String> handler =
        handler(
            (record, ctx) -> {
              ctx.emit("a", record.key(), record.value() + "-1");
              ctx.emit("b", record.value() + "-2");
              ctx.emit("a", record.key(), record.value() + "-3");
            });
    List<Header> epoch = List.of(new RecordHeader("pipekeeper.epoch", bytes("7")));

    handler.handle(
        input("k", "v"),
        producer,
        new SendErrors(),
        new Role(Optional.empty(), Optional.empty(), epoch));

    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    assertThat(sent).extracting(ProducerRecord::topic).containsExactly("a", "b", "a");
    assertThat(sent).extracting(r -> text(r.value())).containsExactly("v-1", "v-2", "v-3");
    assertThat(sent).extracting(r -> text(r.key())).containsExactly("k", null, "k");
    assertThat(sent).allSatisfy(r -> assertThat(header(r, "pipekeeper.epoch")).isEqualTo("7"));
    // Each record has headers of its own: changing one leaves the others alone.
    sent.get(0).headers().add("extra", bytes("x"));
    assertThat(header(sent.get(1), "extra")).isNull();
  }

  @Test
  void withoutModeHeadersTheOutputHasNone() {
    RecordHandler<String, String, String, String> handler =
        handler((record, ctx) -> ctx.emit("out", record.key(), record.value()));

    handler.handle(input("k", "v"), producer, new SendErrors(), Role.member());

    assertThat(producer.history()).hasSize(1);
    assertThat(producer.history().get(0).headers().toArray()).isEmpty();
  }

  @Test
  void aFailedAttemptSendsNothingAndTheRetrySendsItsOwnOutputOnce() {
    AtomicInteger attempts = new AtomicInteger();
    RecordHandler<String, String, String, String> handler =
        handler(
            (record, ctx) -> {
              int attempt = attempts.incrementAndGet();
              ctx.emit("out", record.key(), "attempt-" + attempt + "-first");
              ctx.emit("out", record.key(), "attempt-" + attempt + "-second");
              if (attempt < 3) {
                throw new IllegalStateException("not yet");
              }
            });

    handler.handle(input("k", "v"), producer, new SendErrors(), Role.member());

    assertThat(producer.history())
        .extracting(r -> text(r.value()))
        .containsExactly("attempt-3-first", "attempt-3-second");
    assertThat(handler.deadLettered()).isZero();
  }

  @Test
  void aRecordThatKeepsFailingIsDeadLetteredWithTheErrorAndNothingElse() {
    AtomicInteger attempts = new AtomicInteger();
    RecordHandler<String, String, String, String> handler =
        handler(
            (record, ctx) -> {
              attempts.incrementAndGet();
              ctx.emit("out", record.key(), record.value());
              throw new IllegalArgumentException("cannot enrich " + record.value());
            });

    handler.handle(input("k", "poison"), producer, new SendErrors(), Role.member());

    assertThat(attempts).hasValue(3); // the first attempt and two retries
    assertThat(handler.deadLettered()).isEqualTo(1);
    assertThat(producer.history()).hasSize(1);
    ProducerRecord<byte[], byte[]> dead = producer.history().get(0);
    assertThat(dead.topic()).isEqualTo("handled.dlq");
    assertThat(text(dead.key())).isEqualTo("k");
    assertThat(text(dead.value())).isEqualTo("poison");
    assertThat(header(dead, "pipekeeper.error.class"))
        .isEqualTo(IllegalArgumentException.class.getName());
    assertThat(header(dead, "pipekeeper.error.message")).isEqualTo("cannot enrich poison");
    assertThat(header(dead, "pipekeeper.source.topic")).isEqualTo("in");
    assertThat(header(dead, "pipekeeper.source.partition")).isEqualTo("3");
    assertThat(header(dead, "pipekeeper.source.offset")).isEqualTo("41");
  }

  @Test
  void aProcessorThatEmitsNothingSendsNothing() {
    RecordHandler<String, String, String, String> handler = handler((record, ctx) -> {});

    handler.handle(input("k", "v"), producer, new SendErrors(), Role.member());

    assertThat(producer.history()).isEmpty();
  }
}
