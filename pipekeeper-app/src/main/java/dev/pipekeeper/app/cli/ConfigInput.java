package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads what the config commands are given: a JSON value on the command line, or a JSON or YAML
 * document from a file or standard input. Every refusal is an {@link InvalidInputException} (exit
 * 2) naming the input and the place, and never quotes the input itself: it may be a secret.
 */
final class ConfigInput {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigInput() {}

  /**
   * A value given on the command line, as JSON.
   *
   * @throws InvalidInputException naming the key if it is not valid JSON
   */
  static JsonNode value(Scope scope, String key, String text) {
    try {
      JsonNode value = JSON.readTree(text);
      if (value != null && !value.isMissingNode()) {
        return value;
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          text.contains("\n") || at == null || at.getColumnNr() < 1
              ? where(at)
              : "at column " + at.getColumnNr();
      String duplicate = duplicateKey(e);
      if (duplicate != null) {
        throw new InvalidInputException(
            "config "
                + scope
                + " "
                + key
                + ": the value is not valid JSON: "
                + duplicate
                + " ("
                + where
                + ")");
      }
      throw notJson(scope, key, " (" + where + ")");
    }
    throw notJson(scope, key, " (it is empty)");
  }

  private static InvalidInputException notJson(Scope scope, String key, String where) {
    return new InvalidInputException(
        "config "
            + scope
            + " "
            + key
            + ": the value is not valid JSON"
            + where
            + "; a string needs JSON quotes, e.g. '\"text\"'");
  }

  /**
   * The document in {@code file} ({@code -}: standard input): JSON for {@code .json}, YAML for
   * {@code .yaml} and {@code .yml}, otherwise JSON if it parses as JSON, else YAML.
   *
   * @throws InvalidInputException if it cannot be read, is empty, is not valid, or holds more than
   *     one document
   */
  static JsonNode document(String file, InputStream stdin) {
    String name = file.equals("-") ? "standard input" : file;
    byte[] bytes = read(file, name, stdin);
    refuseNonUtf8(name, bytes);
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      throw new InvalidInputException(name + " is empty");
    }
    String lower = file.toLowerCase(Locale.ROOT);
    try {
      if (lower.endsWith(".json")) {
        return json(bytes);
      }
      if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
        return yaml(bytes);
      }
    } catch (Refused refused) {
      throw new InvalidInputException(name + " " + refused.getMessage());
    }
    try {
      return json(bytes);
    } catch (Refused notJson) {
      try {
        return yaml(bytes);
      } catch (Refused notYaml) {
        throw new InvalidInputException(
            name
                + " is neither JSON nor YAML: "
                + notJson.getMessage()
                + "; "
                + notYaml.getMessage());
      }
    }
  }

  /**
   * A document's changes: a flat map of key to value, where null deletes the key.
   *
   * @throws InvalidInputException if it is not a map, is empty, or has a malformed key
   */
  static Map<String, JsonNode> changes(String file, JsonNode document) {
    String name = file.equals("-") ? "standard input" : file;
    if (!document.isObject()) {
      throw new InvalidInputException(
          name
              + " holds "
              + kind(document)
              + ", not a map of keys to values (e.g. alert.threshold: 0.9)");
    }
    Map<String, JsonNode> changes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : document.properties()) {
      try {
        ConfigKeys.check(field.getKey());
      } catch (InvalidInputException malformed) {
        throw new InvalidInputException(name + ": " + malformed.getMessage());
      }
      changes.put(field.getKey(), field.getValue().isNull() ? null : field.getValue());
    }
    if (changes.isEmpty()) {
      throw new InvalidInputException(name + " has no keys: nothing to apply");
    }
    return changes;
  }

  /**
   * The most a file or standard input may hold: far more than one ZooKeeper change can carry (its
   * request limit is 1 MiB by default), little enough that reading it cannot exhaust the heap.
   */
  static final int MAX_INPUT_BYTES = 16 * 1024 * 1024;

  private static byte[] read(String file, String name, InputStream stdin) {
    try {
      if (file.equals("-")) {
        return bounded(name, stdin);
      }
      Path path = Path.of(file);
      if (Files.isDirectory(path)) {
        throw new InvalidInputException("cannot read " + name + ": it is a folder");
      }
      // read through a bound: a device (/dev/zero) or a huge file would otherwise fill the heap
      try (InputStream in = Files.newInputStream(path)) {
        return bounded(name, in);
      }
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("cannot read " + name + ": no such file");
    } catch (AccessDeniedException e) {
      throw new InvalidInputException("cannot read " + name + ": permission denied");
    } catch (IOException | InvalidPathException e) {
      throw new InvalidInputException("cannot read " + name + ": " + e.getMessage());
    }
  }

  private static byte[] bounded(String name, InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_INPUT_BYTES + 1);
    if (bytes.length > MAX_INPUT_BYTES) {
      throw new InvalidInputException(
          "cannot read "
              + name
              + ": it holds more than "
              + MAX_INPUT_BYTES / (1024 * 1024)
              + " MiB");
    }
    return bytes;
  }

  /** Why a document was refused, without naming it. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Refuses what is not UTF-8 text (JSON and YAML files are), before a parser stumbles on it.
   *
   * @throws InvalidInputException saying where the first byte that is not UTF-8 is
   */
  private static void refuseNonUtf8(String name, byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer input = ByteBuffer.wrap(bytes);
    CharBuffer output = CharBuffer.allocate(4096);
    while (true) {
      CoderResult result = decoder.decode(input, output, true);
      if (result.isError()) {
        throw new InvalidInputException(
            name
                + " is not UTF-8 text (byte "
                + (input.position() + 1)
                + " is not valid UTF-8); save it as UTF-8");
      }
      if (result.isUnderflow()) {
        return;
      }
      output.clear();
    }
  }

  /** "duplicate key 'NAME'" if {@code e} is a parser's report of a key given twice, else null. */
  private static String duplicateKey(IOException e) {
    String message = e instanceof JsonProcessingException p ? p.getOriginalMessage() : null;
    if (message == null || !message.startsWith("Duplicate field ")) {
      return null;
    }
    return "duplicate key " + message.substring("Duplicate field ".length()).strip();
  }

  private static JsonNode json(byte[] bytes) throws Refused {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      String duplicate = duplicateKey(e);
      throw new Refused(
          "is not valid JSON ("
              + where(location(e))
              + (duplicate == null ? "" : ": " + duplicate)
              + ")");
    }
  }

  private static JsonNode yaml(byte[] bytes) throws Refused {
    try {
      refuseAliases(bytes);
      List<JsonNode> documents = new ArrayList<>();
      try (JsonParser parser = YAML.createParser(bytes)) {
        while (parser.nextToken() != null) {
          documents.add(YAML.readTree(parser));
        }
      }
      if (documents.size() != 1) {
        throw new Refused("holds " + documents.size() + " YAML documents; give exactly one");
      }
      return documents.get(0);
    } catch (IOException e) {
      String duplicate = duplicateKey(e);
      throw new Refused(
          "is not valid YAML ("
              + where(location(e))
              + (duplicate == null ? problem(e) : ": " + duplicate)
              + ")");
    }
  }

  /** Jackson reads a YAML alias as its anchor's name, not its value: refuse them. */
  private static void refuseAliases(byte[] bytes) throws IOException, Refused {
    try (JsonParser parser = YAML.createParser(bytes)) {
      while (parser.nextToken() != null) {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
          throw new Refused(
              "uses a YAML alias ("
                  + where(parser.currentTokenLocation())
                  + "); write the value out instead");
        }
      }
    }
  }

  private static JsonLocation location(IOException e) {
    return e instanceof JsonProcessingException processing ? processing.getLocation() : null;
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "at an unknown place";
    }
    return "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /**
   * The YAML parser's description of the problem, without the quoted source lines (which may hold a
   * secret).
   */
  private static String problem(IOException e) {
    String message = e instanceof JsonProcessingException p ? p.getOriginalMessage() : null;
    if (message == null) {
      return "";
    }
    String problem =
        message
            .lines()
            .filter(line -> !line.isBlank() && !line.startsWith(" "))
            .collect(Collectors.joining(", "));
    return problem.isEmpty() ? "" : ": " + problem;
  }

  private static String kind(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isNull()) {
      return "null";
    }
    return "a single value";
  }
}
