package dev.pipekeeper.connect.sink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pipekeeper.connect.sink.SinkCommand.Op;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ConfigAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.zookeeper.common.PathUtils;

/**
 * Reads a record's value into commands, or says in one line why it cannot: never throws. A value is
 * a JSON object (bytes or text, or the map or struct a converter made of it): one command, or
 * {@code {"batch": [command, ...]}}, applied all or nothing. A command:
 *
 * <pre>{@code
 * {"op": "create" | "set" | "delete",
 *  "path": "/subtree/a/b",
 *  "data": "text" | "dataBase64": "AAE=" | "json": <any JSON>,   (create and set; at most one)
 *  "expectedVersion": 3,                                          (optional; -1 only for create)
 *  "ephemeral": true}                                             (create; if allowed)
 * }</pre>
 *
 * Unknown fields are refused. In a configuration tree a path must be a key's node and the value
 * JSON ({@code json}, or {@code data} holding JSON text); a batch must stay in one scope and name a
 * key once.
 *
 * <p>Thread-safe.
 */
final class CommandParser {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION.mappedFeature())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final Set<String> FIELDS =
      Set.of("op", "path", "data", "dataBase64", "json", "expectedVersion", "ephemeral");

  private final String subtree;
  private final boolean configTree;
  private final boolean ephemeralAllowed;
  private final int maxBytes;
  private final int maxBatch;

  CommandParser(
      String subtree, boolean configTree, boolean ephemeralAllowed, int maxBytes, int maxBatch) {
    this.subtree = subtree;
    this.configTree = configTree;
    this.ephemeralAllowed = ephemeralAllowed;
    this.maxBytes = maxBytes;
    this.maxBatch = maxBatch;
  }

  /** What a record's value says: its commands, or why it is refused. */
  sealed interface Parsed permits Commands, Rejected {}

  /**
   * The commands of one record.
   *
   * @param commands at least one
   * @param batch whether the record was a batch
   */
  record Commands(List<SinkCommand> commands, boolean batch) implements Parsed {}

  /** A record refused, and why (one line). */
  record Rejected(String reason) implements Parsed {}

  /** The record value {@code value} as commands; never throws. */
  Parsed parse(Object value) {
    try {
      JsonNode tree = read(value);
      return commands(tree);
    } catch (Refused e) {
      return new Rejected(oneLine(e.getMessage()));
    } catch (RuntimeException | StackOverflowError e) {
      // a bug or a hostile input the checks above missed: refused all the same, never a crash
      return new Rejected(oneLine("the record cannot be read as a command: " + e));
    }
  }

  private JsonNode read(Object value) {
    if (value == null) {
      throw new Refused("the record has no value (a tombstone); a command is a JSON object");
    }
    byte[] bytes;
    if (value instanceof byte[] raw) {
      bytes = raw;
    } else if (value instanceof String text) {
      bytes = text.getBytes(StandardCharsets.UTF_8);
    } else if (value instanceof Map<?, ?> || value instanceof Struct || value instanceof List<?>) {
      try {
        bytes = JSON.writeValueAsBytes(plain(value, 0));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Refused(
            "the record's value cannot be written as JSON: " + e.getOriginalMessage());
      }
    } else {
      throw new Refused(
          "a command is a JSON object, not a " + value.getClass().getSimpleName() + " value");
    }
    if (bytes.length > maxBytes) {
      throw new Refused(
          "the record is "
              + bytes.length
              + " bytes, over "
              + ZooKeeperSinkConfig.MAX_COMMAND_BYTES_CONFIG
              + " ("
              + maxBytes
              + ")");
    }
    try {
      return JSON.readTree(bytes);
    } catch (java.io.IOException e) {
      String message =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException json
              ? json.getOriginalMessage()
              : e.getMessage();
      throw new Refused("the record is not JSON: " + firstLine(message));
    }
  }

  /** A converter's map, list or struct as plain maps and lists Jackson writes. */
  private static Object plain(Object value, int depth) {
    if (depth > 100) {
      throw new Refused("the record's value is nested more than 100 deep");
    }
    if (value instanceof Struct struct) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Field field : struct.schema().fields()) {
        out.put(field.name(), plain(struct.get(field), depth + 1));
      }
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v, depth + 1)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(plain(v, depth + 1)));
      return out;
    }
    return value;
  }

  private Parsed commands(JsonNode tree) {
    if (!tree.isObject()) {
      throw new Refused("a command is a JSON object, not " + kind(tree));
    }
    if (!tree.has("batch")) {
      return new Commands(List.of(command(tree, "")), false);
    }
    if (tree.size() != 1) {
      throw new Refused("a batch is {\"batch\": [...]} and nothing else");
    }
    JsonNode batch = tree.get("batch");
    if (!batch.isArray() || batch.isEmpty()) {
      throw new Refused("\"batch\" must be a non-empty array of commands, not " + kind(batch));
    }
    if (batch.size() > maxBatch) {
      throw new Refused(
          "the batch has "
              + batch.size()
              + " commands, over "
              + ZooKeeperSinkConfig.MAX_BATCH_COMMANDS_CONFIG
              + " ("
              + maxBatch
              + ")");
    }
    List<SinkCommand> commands = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      commands.add(command(batch.get(i), "command " + (i + 1) + " of the batch: "));
    }
    if (configTree) {
      checkOneScope(commands);
    }
    return new Commands(List.copyOf(commands), true);
  }

  private SinkCommand command(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new Refused(where + "a command is a JSON object, not " + kind(node));
    }
    for (var names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new Refused(
            where
                + "unknown field '"
                + shorten(name)
                + "' (a command has op, path, data, dataBase64, json, expectedVersion,"
                + " ephemeral)");
      }
    }
    Op op = op(node.get("op"), where);
    String path = path(node.get("path"), op, where);
    JsonNode json = null;
    byte[] data = new byte[0];
    int given =
        (node.has("data") ? 1 : 0) + (node.has("dataBase64") ? 1 : 0) + (node.has("json") ? 1 : 0);
    if (given > 1) {
      throw new Refused(where + "give at most one of data, dataBase64 and json");
    }
    if (op == Op.DELETE && given > 0) {
      throw new Refused(where + "a delete carries no data");
    }
    if (node.has("data")) {
      String text = text(node.get("data"), "data", where);
      data = text.getBytes(StandardCharsets.UTF_8);
      if (configTree) {
        json = configValue(text, where);
      }
    } else if (node.has("dataBase64")) {
      if (configTree) {
        throw new Refused(
            where + "a configuration value is JSON: give json (or data), not dataBase64");
      }
      try {
        data = Base64.getDecoder().decode(text(node.get("dataBase64"), "dataBase64", where));
      } catch (IllegalArgumentException e) {
        throw new Refused(where + "dataBase64 is not base64: " + e.getMessage());
      }
    } else if (node.has("json")) {
      json = node.get("json");
      try {
        data = JSON.writeValueAsBytes(json);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Refused(where + "json cannot be written back: " + e.getOriginalMessage());
      }
    } else if (configTree && op != Op.DELETE) {
      throw new Refused(where + "a configuration value is needed: give json");
    }
    OptionalInt expected = expectedVersion(node.get("expectedVersion"), op, where);
    boolean ephemeral = ephemeral(node.get("ephemeral"), op, where);
    return new SinkCommand(op, path, data, json, expected, ephemeral);
  }

  private static Op op(JsonNode node, String where) {
    if (node == null) {
      throw new Refused(where + "field 'op' is missing (create, set or delete)");
    }
    String word = node.isTextual() ? node.asText() : null;
    for (Op op : Op.values()) {
      if (op.word().equals(word)) {
        return op;
      }
    }
    throw new Refused(
        where + "op " + shorten(String.valueOf(node)) + " is not create, set or delete");
  }

  private String path(JsonNode node, Op op, String where) {
    if (node == null) {
      throw new Refused(where + "field 'path' is missing");
    }
    String path = text(node, "path", where);
    if (!path.startsWith("/")) {
      throw new Refused(where + "path " + shorten(path) + " is not absolute");
    }
    try {
      PathUtils.validatePath(path);
    } catch (IllegalArgumentException e) {
      throw new Refused(where + "path " + shorten(path) + " is not valid: " + e.getMessage());
    }
    boolean inside =
        path.equals(subtree) || path.startsWith(subtree.equals("/") ? "/" : subtree + "/");
    if (!inside) {
      throw new Refused(
          where + "path " + shorten(path) + " is outside the connector's subtree " + subtree);
    }
    if (path.equals(subtree) && op != Op.SET) {
      throw new Refused(where + "the subtree's root " + subtree + " is not created or deleted");
    }
    if (configTree) {
      try {
        ConfigAddress.parse(path);
      } catch (InvalidInputException e) {
        throw new Refused(where + e.getMessage());
      }
    }
    return path;
  }

  private static JsonNode configValue(String text, String where) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new Refused(
          where
              + "a configuration value is JSON, and data is not JSON text (give json for a string)");
    }
  }

  private static OptionalInt expectedVersion(JsonNode node, Op op, String where) {
    if (node == null || node.isNull()) {
      return op == Op.CREATE ? OptionalInt.of(-1) : OptionalInt.empty();
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new Refused(where + "expectedVersion is not an integer: " + shorten(node.toString()));
    }
    int version = node.intValue();
    if (op == Op.CREATE && version != -1) {
      throw new Refused(where + "a create's expectedVersion can only be -1 (the node is absent)");
    }
    if (op != Op.CREATE && version < 0) {
      throw new Refused(where + "expectedVersion " + version + " is negative");
    }
    return OptionalInt.of(version);
  }

  private boolean ephemeral(JsonNode node, Op op, String where) {
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new Refused(where + "ephemeral is not true or false: " + shorten(node.toString()));
    }
    if (!node.booleanValue()) {
      return false;
    }
    if (op != Op.CREATE) {
      throw new Refused(where + "only a create may ask for an ephemeral node");
    }
    if (configTree) {
      throw new Refused(where + "configuration keys are never ephemeral");
    }
    if (!ephemeralAllowed) {
      throw new Refused(
          where
              + "ephemeral nodes are not allowed ("
              + ZooKeeperSinkConfig.EPHEMERAL_ALLOWED_CONFIG
              + " is false)");
    }
    return true;
  }

  private static void checkOneScope(List<SinkCommand> commands) {
    Set<String> keys = new HashSet<>();
    ConfigAddress first = ConfigAddress.parse(commands.get(0).path());
    for (SinkCommand command : commands) {
      ConfigAddress address = ConfigAddress.parse(command.path());
      if (!address.scope().equals(first.scope()) || !address.cluster().equals(first.cluster())) {
        throw new Refused(
            "a batch of configuration changes stays in one scope (changes are atomic per scope): "
                + first.scope()
                + " and "
                + address.scope());
      }
      if (!keys.add(address.key())) {
        throw new Refused("the batch names key " + address.key() + " twice");
      }
    }
  }

  private static String text(JsonNode node, String field, String where) {
    if (!node.isTextual()) {
      throw new Refused(where + field + " is not a string but " + kind(node));
    }
    return node.asText();
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Text from a record, cut to what a reason header shows. */
  private static String shorten(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "...";
  }

  private static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    return shorten(line);
  }

  /**
   * A reason as one line of printable text, at most 500 characters: control characters (a path or a
   * field name may hold them) are written as {@code \\uXXXX}, so a header or a log line shows them
   * and cannot be split by them.
   */
  static String oneLine(String reason) {
    StringBuilder out = new StringBuilder();
    String text = reason == null ? "refused" : reason;
    for (int i = 0; i < text.length() && out.length() < 500; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || Character.isSurrogate(c) && !validSurrogate(text, i)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.length() < 500 ? out.toString() : out + "...";
  }

  private static boolean validSurrogate(String text, int i) {
    char c = text.charAt(i);
    return Character.isHighSurrogate(c)
        ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
  }

  /** A refusal found while reading; becomes {@link Rejected}. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }
}
