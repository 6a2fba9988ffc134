package dev.pipekeeper.kafka.internal;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * The first error of the sends of one batch, given as the callback of each of them. A producer
 * reports a failed send only through its callback (a topic it may not write to, a record too
 * large): {@code flush()} does not throw, so an AT_LEAST_ONCE batch checks here, after the flush,
 * before it commits its progress. One per producer's thread of batches; the callback runs on the
 * producer's I/O thread.
 */
final class SendErrors implements Callback {
  private final AtomicReference<Exception> first = new AtomicReference<>();

  @Override
  public void onCompletion(RecordMetadata metadata, Exception error) {
    if (error != null) {
      first.compareAndSet(null, error);
    }
  }

  /** Forgets the errors of the batch before (at the start of a batch). */
  void clear() {
    first.set(null);
  }

  /**
   * @throws KafkaException the first send error since {@link #clear()} (as it is, or wrapped)
   */
  void throwIfAny() {
    Exception error = first.get();
    if (error instanceof KafkaException kafka) {
      throw kafka;
    }
    if (error != null) {
      throw new KafkaException("a send of the batch failed: " + error, error);
    }
  }
}
