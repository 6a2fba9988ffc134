package dev.pipekeeper.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batch transaction every mode commits through: output and progress in one transaction, or
 * flushed output then progress; a failure aborted; a fenced producer and lost ownership left as
 * they are for the mode.
 */
class BatchTransactionTest {
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final List<String> steps = new ArrayList<>();

  @BeforeEach
  void initTransactions() {
    producer.initTransactions();
  }

  /** A progress that notes when it is committed and what the producer had done by then. */
  private final BatchTransaction.Progress progress =
      new BatchTransaction.Progress() {
        @Override
        public void sendInTransaction(Producer<byte[], byte[]> into) {
          steps.add("progress in transaction, open " + producer.transactionInFlight());
        }

        @Override
        public void commitAfterFlush() {
          steps.add("progress after flush, flushed " + producer.flushed());
        }
      };

  private BatchTransaction.Progress sendOne(BooleanSupplier owned) {
    BatchTransaction.checkOwned(owned);
    producer.send(new ProducerRecord<>("out", new byte[] {1}));
    return progress;
  }

  @Test
  void exactlyOnceCommitsTheOutputAndItsProgressInOneTransaction() {
    BatchTransaction.commit(
        true,
        producer,
        BatchTransaction.ALWAYS_OWNED,
        () -> sendOne(BatchTransaction.ALWAYS_OWNED));

    assertThat(steps).containsExactly("progress in transaction, open true");
    assertThat(producer.transactionCommitted()).isTrue();
    assertThat(producer.history()).hasSize(1);
  }

  @Test
  void atLeastOnceFlushesTheOutputBeforeItCommitsTheProgress() {
    MockProducer<byte[], byte[]> plain =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    List<String> seen = new ArrayList<>();

    BatchTransaction.commit(
        false,
        plain,
        BatchTransaction.ALWAYS_OWNED,
        () -> {
          plain.send(new ProducerRecord<>("out", new byte[] {1}));
          return new BatchTransaction.Progress() {
            @Override
            public void sendInTransaction(Producer<byte[], byte[]> into) {
              seen.add("in transaction");
            }

            @Override
            public void commitAfterFlush() {
              seen.add("after flush, flushed " + plain.flushed());
            }
          };
        });

    assertThat(seen).containsExactly("after flush, flushed true");
  }

  @Test
  void ownershipEndedBeforeTheCommitCommitsNothingAndLeavesTheTransactionToTheMode() {
    AtomicBoolean owned = new AtomicBoolean(true);

    assertThatThrownBy(
            () ->
                BatchTransaction.commit(
                    true,
                    producer,
                    owned::get,
                    () -> {
                      BatchTransaction.Progress sent = sendOne(owned::get);
                      owned.set(false); // e.g. the lease ended while the batch was out
                      return sent;
                    }))
        .isInstanceOf(OwnershipEnded.class);

    assertThat(steps).isEmpty();
    assertThat(producer.transactionCommitted()).isFalse();
    assertThat(producer.transactionAborted()).isFalse();
    assertThat(producer.transactionInFlight()).isTrue();
  }

  @Test
  void ownershipIsCheckedBeforeEachRecord() {
    assertThatThrownBy(
            () -> BatchTransaction.commit(true, producer, () -> true, () -> sendOne(() -> false)))
        .isInstanceOf(OwnershipEnded.class);

    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aBatchThatFailsToCommitIsAbortedAndTheFailureThrownOn() {
    producer.commitTransactionException = new KafkaException("broker gone");

    assertThatThrownBy(
            () ->
                BatchTransaction.commit(
                    true,
                    producer,
                    BatchTransaction.ALWAYS_OWNED,
                    () -> sendOne(BatchTransaction.ALWAYS_OWNED)))
        .isInstanceOf(KafkaException.class)
        .hasMessage("broker gone");

    assertThat(producer.transactionAborted()).isTrue();
    assertThat(producer.transactionCommitted()).isFalse();
  }

  @Test
  void aFailedAbortIsThrownWithTheBatchsFailureSuppressed() {
    KafkaException commit = new KafkaException("commit failed");
    producer.commitTransactionException = commit;
    producer.abortTransactionException = new KafkaException("abort failed");

    assertThatThrownBy(
            () ->
                BatchTransaction.commit(
                    true,
                    producer,
                    BatchTransaction.ALWAYS_OWNED,
                    () -> sendOne(BatchTransaction.ALWAYS_OWNED)))
        .hasMessage("abort failed")
        .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(commit));
  }

  @Test
  void aFencedProducerIsThrownOnWithNothingAborted() {
    producer.commitTransactionException = new ProducerFencedException("a newer instance");

    assertThatThrownBy(
            () ->
                BatchTransaction.commit(
                    true,
                    producer,
                    BatchTransaction.ALWAYS_OWNED,
                    () -> sendOne(BatchTransaction.ALWAYS_OWNED)))
        .isInstanceOf(ProducerFencedException.class);

    assertThat(producer.transactionAborted()).isFalse();
  }
}
