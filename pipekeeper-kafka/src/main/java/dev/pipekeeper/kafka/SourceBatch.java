package dev.pipekeeper.kafka;

import java.util.List;
import java.util.Map;

/**
 * Records read from a work unit, and the source's position after them.
 *
 * @param records key → value pairs, in order
 * @param position where the next read starts; stored with the output of these records
 */
public record SourceBatch<K, V>(List<Map.Entry<K, V>> records, String position) {
  public SourceBatch {
    records = List.copyOf(records);
  }

  /** Nothing new; the position stays. */
  public static <K, V> SourceBatch<K, V> empty(String position) {
    return new SourceBatch<>(List.of(), position);
  }
}
