package dev.pipekeeper.connect.sink;

import java.util.List;

/**
 * What became of one record, as the result topic reports it.
 *
 * @param kind applied, skipped as a redelivery, a conflict or rejected
 * @param reason why it was not applied (empty when it was)
 * @param commands the commands, described ({@code set /a/b@3}); empty for a record that was not
 *     read
 */
record Outcome(Kind kind, String reason, List<String> commands) {
  Outcome {
    commands = List.copyOf(commands);
  }

  /** The outcomes. */
  enum Kind {
    /** Its commands were written, with the partition's offset, in one multi-op. */
    APPLIED("applied"),
    /** Its offset was already applied (a redelivery after a restart or a rebalance): skipped. */
    SKIPPED_REDELIVERY("skipped-redelivery"),
    /** An expected version did not hold (BadVersion, NodeExists, NoNode, NotEmpty): not applied. */
    CONFLICT("conflict"),
    /** Malformed, outside the subtree, too large, refused by a schema or by ZooKeeper: the DLQ. */
    REJECTED("rejected");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    String word() {
      return word;
    }
  }

  static Outcome applied(List<String> commands) {
    return new Outcome(Kind.APPLIED, "", commands);
  }

  static Outcome skipped() {
    return new Outcome(Kind.SKIPPED_REDELIVERY, "the offset was applied before", List.of());
  }

  static Outcome conflict(String reason, List<String> commands) {
    return new Outcome(Kind.CONFLICT, reason, commands);
  }

  static Outcome rejected(String reason, List<String> commands) {
    return new Outcome(Kind.REJECTED, reason, commands);
  }
}
