package dev.pipekeeper.connect.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.connect.source.ZooKeeperSourceConfig.ValueFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.zookeeper.data.Stat;

/**
 * The records of the source connector: keyed by path (a string), the value a {@link Struct} of
 * {@link #valueSchema(ValueFormat)}; a tombstone (null value) follows each delete record.
 */
public final class ChangeRecords {
  /** The kind of a change record. */
  enum Change {
    /** The node as found by the first read of a subtree the task has no offsets for. */
    SNAPSHOT,
    /** The node was created (or found when it was not in the last emitted state). */
    CREATED,
    /** The node's data or version changed since its last record. */
    CHANGED,
    /** The node was deleted; a tombstone follows. */
    DELETED
  }

  static final String SCHEMA_NAME = "dev.pipekeeper.connect.ZooKeeperChange";
  static final String VERSIONS_SKIPPED_HEADER = "pipekeeper.versions.skipped";
  static final String DATA_ERROR_HEADER = "pipekeeper.data.error";

  /** A field of the value. */
  public static final String PATH = "path";

  static final String SUBTREE = "subtree";

  /** A field of the value. */
  public static final String CHANGE = "change";

  /** A field of the value. */
  public static final String DATA = "data";

  /** A field of the value. */
  public static final String CZXID = "czxid";

  /** A field of the value. */
  public static final String MZXID = "mzxid";

  static final String VERSION = "version";
  static final String EPHEMERAL_OWNER = "ephemeralOwner";
  static final String VERSIONS_SKIPPED = "versionsSkipped";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String topic;
  private final ValueFormat format;
  private final Schema valueSchema;

  ChangeRecords(String topic, ValueFormat format) {
    this.topic = topic;
    this.format = format;
    this.valueSchema = valueSchema(format);
  }

  /** The value schema for {@code format}: the data field is bytes, or a string for the others. */
  static Schema valueSchema(ValueFormat format) {
    return SchemaBuilder.struct()
        .name(SCHEMA_NAME)
        .version(1)
        .doc("One change of a ZooKeeper node")
        .field(PATH, Schema.STRING_SCHEMA)
        .field(SUBTREE, Schema.STRING_SCHEMA)
        .field(CHANGE, Schema.STRING_SCHEMA)
        .field(
            DATA,
            format == ValueFormat.BYTES
                ? Schema.OPTIONAL_BYTES_SCHEMA
                : Schema.OPTIONAL_STRING_SCHEMA)
        .field(CZXID, Schema.INT64_SCHEMA)
        .field(MZXID, Schema.INT64_SCHEMA)
        .field(VERSION, Schema.INT32_SCHEMA)
        .field(EPHEMERAL_OWNER, Schema.INT64_SCHEMA)
        .field(VERSIONS_SKIPPED, Schema.INT32_SCHEMA)
        .build();
  }

  /** A SNAPSHOT, CREATED or CHANGED record of a node as read. */
  SourceRecord present(
      Map<String, Object> partition,
      Map<String, Object> offset,
      String subtree,
      String path,
      Change change,
      byte[] data,
      Stat stat,
      int versionsSkipped) {
    ConnectHeaders headers = new ConnectHeaders();
    Struct value =
        new Struct(valueSchema)
            .put(PATH, path)
            .put(SUBTREE, subtree)
            .put(CHANGE, change.name())
            .put(CZXID, stat.getCzxid())
            .put(MZXID, stat.getMzxid())
            .put(VERSION, stat.getVersion())
            .put(EPHEMERAL_OWNER, stat.getEphemeralOwner())
            .put(VERSIONS_SKIPPED, versionsSkipped);
    value.put(DATA, data(data, headers));
    if (versionsSkipped > 0) {
      headers.addInt(VERSIONS_SKIPPED_HEADER, versionsSkipped);
    }
    return new SourceRecord(
        partition,
        offset,
        topic,
        null,
        Schema.STRING_SCHEMA,
        path,
        valueSchema,
        value,
        stat.getMtime(),
        headers);
  }

  /** The DELETED record of a node, with the stat of its last record. */
  SourceRecord deleted(
      Map<String, Object> partition,
      Map<String, Object> offset,
      String subtree,
      String path,
      EmittedState.Node last) {
    Struct value =
        new Struct(valueSchema)
            .put(PATH, path)
            .put(SUBTREE, subtree)
            .put(CHANGE, Change.DELETED.name())
            .put(CZXID, last.czxid())
            .put(MZXID, last.mzxid())
            .put(VERSION, last.version())
            .put(EPHEMERAL_OWNER, 0L)
            .put(VERSIONS_SKIPPED, 0);
    return new SourceRecord(
        partition, offset, topic, null, Schema.STRING_SCHEMA, path, valueSchema, value);
  }

  /** The tombstone after a delete: the key, no value (and no value schema). */
  SourceRecord tombstone(Map<String, Object> partition, Map<String, Object> offset, String path) {
    return new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, path, null, null);
  }

  private Object data(byte[] data, ConnectHeaders headers) {
    if (data == null) {
      return null;
    }
    return switch (format) {
      case BYTES -> data;
      case STRING -> new String(data, StandardCharsets.UTF_8);
      case JSON -> json(data, headers);
    };
  }

  private static String json(byte[] data, ConnectHeaders headers) {
    if (data.length == 0) {
      return null;
    }
    try {
      return JSON.writeValueAsString(JSON.readTree(data));
    } catch (IOException e) {
      String reason =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage()
              : e.getMessage();
      headers.addString(DATA_ERROR_HEADER, "not JSON: " + reason);
      return null;
    }
  }
}
