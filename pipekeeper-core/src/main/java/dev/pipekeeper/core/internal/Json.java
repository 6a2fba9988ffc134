package dev.pipekeeper.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JSON of every node Pipekeeper writes. The mapper stays in here, configured once: an {@link
 * ObjectMapper} is mutable (anyone holding it could register modules or switch features for every
 * reader and writer of the process), so callers get its operations, not the mapper.
 */
public final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .registerModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads {@code bytes} as {@code type}.
   *
   * @throws IOException if the bytes are not such JSON
   */
  public static <T> T read(byte[] bytes, Class<T> type) throws IOException {
    if (bytes == null || bytes.length == 0) {
      throw new IOException("empty node");
    }
    return MAPPER.readValue(bytes, type);
  }

  /**
   * Reads {@code bytes} as a JSON tree; a {@link com.fasterxml.jackson.databind.node.MissingNode}
   * if they hold no JSON value at all (empty).
   *
   * @throws IOException if the bytes are not JSON
   * @throws IllegalArgumentException if {@code bytes} is null
   */
  public static JsonNode readTree(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }

  /**
   * Reads {@code text} as a JSON tree, as {@link #readTree(byte[])} does.
   *
   * @throws JsonProcessingException if the text is not JSON
   */
  public static JsonNode readTree(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  /**
   * Reads {@code in} as a JSON tree, as {@link #readTree(byte[])} does.
   *
   * @throws IOException if it cannot be read or is not JSON
   */
  public static JsonNode readTree(InputStream in) throws IOException {
    return MAPPER.readTree(in);
  }

  /**
   * A Java value as a JSON tree ({@code null} gives a JSON null).
   *
   * @throws IllegalArgumentException if the value cannot be written as JSON
   */
  public static JsonNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /**
   * A JSON tree as a {@code type}.
   *
   * @throws JsonProcessingException or {@link IllegalArgumentException} if it does not convert
   */
  public static <T> T fromTree(JsonNode node, Class<T> type) throws JsonProcessingException {
    return MAPPER.treeToValue(node, type);
  }

  /** A new, empty JSON object. */
  public static ObjectNode objectNode() {
    return MAPPER.createObjectNode();
  }
}
