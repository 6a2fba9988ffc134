package dev.pipekeeper.kafka.internal;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * One batch as one unit of commit, the same in every mode ({@link dev.pipekeeper.kafka.Guarantee}):
 * with EXACTLY_ONCE a transaction holding the batch's output and its progress, with AT_LEAST_ONCE
 * the output flushed, then the progress committed; and the one signal of lost ownership, {@link
 * OwnershipEnded}. {@link BasePipeline#commitBatch} runs it.
 */
final class BatchTransaction {
  private BatchTransaction() {}

  /**
   * What a batch commits besides its output, once the output is out: a poll's consumed offsets
   * ({@link #offsets}), or nothing more ({@link #WITH_OUTPUT}: a SHARDED unit's position is an
   * output record).
   */
  interface Progress {
    /** EXACTLY_ONCE: adds the progress to the open transaction, before it commits. */
    void sendInTransaction(Producer<byte[], byte[]> producer);

    /** AT_LEAST_ONCE: commits the progress, after the output was flushed. */
    void commitAfterFlush();
  }

  /** The progress was sent with the output. */
  static final Progress WITH_OUTPUT =
      new Progress() {
        @Override
        public void sendInTransaction(Producer<byte[], byte[]> producer) {}

        @Override
        public void commitAfterFlush() {}
      };

  /**
   * For a PARALLEL member, which owns nothing that ends mid-batch (a rebalance fails the commit).
   */
  static final BooleanSupplier ALWAYS_OWNED = () -> true;

  /**
   * A batch's consumed offsets: sent into the transaction with the consumer's group metadata (for a
   * subscribed consumer, KIP-447's fencing of a former generation; an assigned one is in no
   * generation, and its transactional id fences), or committed by the consumer.
   */
  static Progress offsets(
      Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
    return new Progress() {
      @Override
      public void sendInTransaction(Producer<byte[], byte[]> producer) {
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      }

      @Override
      public void commitAfterFlush() {
        commitOffsets(consumer, offsets);
      }
    };
  }

  /**
   * Commits a batch's offsets. A close in the middle of the batch wakes the consumer for its loop,
   * and the wakeup lands on this call instead: the batch's output is out already, so the wakeup is
   * spent here and the commit made, rather than leaving the batch to be consumed again.
   */
  static void commitOffsets(
      Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException closing) {
      consumer.commitSync(offsets);
    }
  }

  /**
   * Throws {@link OwnershipEnded} unless what the batch runs under is still held (a local check, no
   * ZooKeeper call).
   */
  static void checkOwned(BooleanSupplier owned) {
    if (!owned.getAsBoolean()) {
      throw new OwnershipEnded();
    }
  }

  /**
   * Commits one batch: with EXACTLY_ONCE opens a transaction, lets {@code batch} send the output
   * (it calls {@link #checkOwned} before each record) and return the progress, checks ownership
   * once more, adds the progress and commits; with AT_LEAST_ONCE the output is flushed, then the
   * progress committed.
   *
   * @throws OwnershipEnded if {@code owned} turned false: nothing was committed and the transaction
   *     is left open (the caller aborts it, or closes the producer, which aborts it)
   * @throws ProducerFencedException if fenced (or {@link InvalidProducerEpochException}): thrown on
   *     as it is, nothing aborted
   * @throws KafkaException if the batch failed otherwise: its transaction was aborted (an abort
   *     that failed too is thrown instead, with this one suppressed)
   */
  static void commit(
      boolean transactional,
      Producer<byte[], byte[]> producer,
      BooleanSupplier owned,
      Supplier<Progress> batch) {
    try {
      if (transactional) {
        producer.beginTransaction();
      }
      Progress progress = batch.get();
      checkOwned(owned); // before every commit
      if (transactional) {
        progress.sendInTransaction(producer);
        producer.commitTransaction();
      } else {
        producer.flush();
        progress.commitAfterFlush();
      }
    } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
      throw fenced;
    } catch (KafkaException failed) {
      try {
        abort(transactional, producer);
      } catch (RuntimeException abortFailed) {
        abortFailed.addSuppressed(failed);
        throw abortFailed;
      }
      throw failed;
    }
  }

  /** Aborts a batch's open transaction (EXACTLY_ONCE; nothing to do with AT_LEAST_ONCE). */
  static void abort(boolean transactional, Producer<byte[], byte[]> producer) {
    if (transactional) {
      producer.abortTransaction();
    }
  }
}
