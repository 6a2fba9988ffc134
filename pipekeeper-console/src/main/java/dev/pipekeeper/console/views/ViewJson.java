package dev.pipekeeper.console.views;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The one JSON mapper of the operator views: what the CLI's {@code --json} prints and what the
 * console serves are written by it, so both show a record the same way (instants as ISO-8601 text,
 * empty optionals as null). Thread-safe.
 */
public final class ViewJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new Jdk8Module())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private ViewJson() {}

  /** A copy of the mapper, for a caller that changes its settings (e.g. indenting). */
  public static ObjectMapper mapper() {
    return MAPPER.copy();
  }

  /** {@code value} as compact JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** {@code value} as a JSON tree. */
  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /**
   * JSON that another component wrote (e.g. {@code AlertCodec}), as a tree, so it is shown as it
   * was written rather than re-serialized.
   *
   * @throws IllegalStateException if it is not JSON
   */
  public static JsonNode read(byte[] json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read JSON: " + e.getMessage(), e);
    }
  }
}
