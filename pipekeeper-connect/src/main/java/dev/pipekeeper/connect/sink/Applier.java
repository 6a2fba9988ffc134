package dev.pipekeeper.connect.sink;

import dev.pipekeeper.connect.sink.PartitionMarks.Mark;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes one record's commands and its partition's next offset in one ZooKeeper multi-op: to a
 * plain subtree ({@link TreeApplier}) or through Pipekeeper's config module ({@link
 * ConfigApplier}).
 */
interface Applier extends AutoCloseable {

  /**
   * Applies {@code commands}, moving {@code tp}'s mark from {@code mark} to {@code offset + 1} in
   * the same multi-op.
   *
   * @return applied, a conflict (nothing written) or rejected (nothing written)
   * @throws Fenced if the mark is no longer at {@code mark}'s version: another task wrote it
   * @throws Exception if ZooKeeper did not answer: whether it was written is not known (the mark,
   *     read again, tells)
   */
  Outcome apply(TopicPartition tp, long offset, Mark mark, List<SinkCommand> commands)
      throws Exception;

  @Override
  void close();

  /** The partition's mark moved since it was read: read it again. */
  final class Fenced extends Exception {
    private static final long serialVersionUID = 1L;

    Fenced(String message) {
      super(message, null, false, false);
    }
  }
}
