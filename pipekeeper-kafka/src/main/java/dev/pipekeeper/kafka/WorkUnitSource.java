package dev.pipekeeper.kafka;

import java.time.Duration;
import java.util.Optional;

/**
 * Reads the external data of one work unit for a SHARDED pipeline (a tenant's API, a bucket's
 * files, an endpoint): the user implements it, Pipekeeper opens one per unit this member owns and
 * closes it when the unit moves away. The position is the source's own bookmark (a cursor, a file
 * name and offset, a timestamp), stored by Pipekeeper with the unit's output, so a new owner
 * resumes exactly where the previous one committed.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface WorkUnitSource<K, V> extends AutoCloseable {

  /**
   * The next records after {@code position} (empty: from the start), waiting at most {@code
   * timeout} for some; an empty batch keeps the position.
   */
  SourceBatch<K, V> poll(Optional<String> position, Duration timeout);

  @Override
  default void close() {}
}
