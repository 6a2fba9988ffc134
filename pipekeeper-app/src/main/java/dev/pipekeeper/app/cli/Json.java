package dev.pipekeeper.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pipekeeper.console.views.ViewJson;

/**
 * The CLI's JSON mapper: what {@link JsonOutput} prints for {@code --json} (one pretty-printed
 * document, or one compact object per line for a stream, {@code config watch}), and what {@code
 * config schema get} prints: the views' one mapper ({@link ViewJson}), indented.
 */
final class Json {
  private static final ObjectMapper MAPPER =
      ViewJson.mapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /**
   * JSON that another component wrote (e.g. {@code AlertCodec}), as a tree, so it is printed as it
   * was written rather than re-serialized by this mapper.
   */
  static JsonNode tree(byte[] json) {
    try {
      return MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read JSON: " + e.getMessage(), e);
    }
  }

  /** {@code value} as JSON on one line. */
  static String line(Object value) {
    try {
      return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
