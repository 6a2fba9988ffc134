package dev.pipekeeper.connect.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalInt;

/**
 * One command of a record: create, set or delete one node, optionally at an expected version.
 *
 * @param op what to do
 * @param path the node, an absolute path in the connector's subtree
 * @param data the node's new data (create, set); empty for a delete
 * @param json the data as JSON when the command gave it so ({@code json}, or {@code data} that is
 *     JSON text), else null; what the config module is given
 * @param expectedVersion the version the node must be at (set, delete), {@code -1} for a create
 *     (the node must not exist); empty: any version
 * @param ephemeral whether a create asks for an ephemeral node
 */
record SinkCommand(
    Op op,
    String path,
    byte[] data,
    JsonNode json,
    OptionalInt expectedVersion,
    boolean ephemeral) {

  /** The operations a command may ask for. */
  enum Op {
    CREATE,
    SET,
    DELETE;

    /** How the command format spells it. */
    String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How results and logs name the command: {@code set /a/b@3}. */
  String describe() {
    return op.word()
        + " "
        + path
        + (expectedVersion.isPresent() && op != Op.CREATE ? "@" + expectedVersion.getAsInt() : "");
  }
}
