package dev.pipekeeper.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde of JSON values with Jackson: a record or bean class, or {@link JsonNode} for any JSON.
 * Bytes that are not JSON of the type fail with a {@link SerializationException} naming the type,
 * which a pipeline handles as it handles a processor that throws (retries, then the dead-letter
 * topic).
 *
 * @param <T> the value type
 */
public final class JsonSerde<T> implements Serde<T> {
  private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper().findAndRegisterModules();

  private final Class<T> type;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JsonSerde(ObjectMapper mapper, Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writerFor(type);
  }

  /** JSON of {@code type} with a default {@link ObjectMapper} (modules on the class path found). */
  public static <T> JsonSerde<T> of(Class<T> type) {
    return new JsonSerde<>(DEFAULT_MAPPER, type);
  }

  /** JSON of {@code type} with the caller's mapper (its settings and modules). */
  public static <T> JsonSerde<T> of(ObjectMapper mapper, Class<T> type) {
    return new JsonSerde<>(Objects.requireNonNull(mapper, "mapper"), type);
  }

  /** Any JSON, as a tree. */
  public static JsonSerde<JsonNode> tree() {
    return of(JsonNode.class);
  }

  private static String reason(IOException e) {
    return e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        return writer.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new SerializationException(
            "cannot write " + type.getSimpleName() + " as JSON: " + reason(e), e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return reader.readValue(bytes);
      } catch (IOException e) {
        throw new SerializationException(
            "not JSON of " + type.getSimpleName() + ": " + reason(e), e);
      }
    };
  }
}
