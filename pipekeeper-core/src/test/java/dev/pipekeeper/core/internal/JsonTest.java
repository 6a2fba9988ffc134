package dev.pipekeeper.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one JSON mapper: configured once, reachable only through its operations. */
class JsonTest {
  record Stamped(String who, Instant at, Optional<String> note) {}

  @Test
  void noMutableMapperIsReachable() {
    assertThat(Arrays.stream(Json.class.getDeclaredFields()))
        .allSatisfy(
            field ->
                assertThat(Modifier.isPublic(field.getModifiers())).as(field.getName()).isFalse());
  }

  @Test
  void recordsWithTimesAndOptionalsRoundTripAndUnknownFieldsAreIgnored() throws IOException {
    Stamped stamped = new Stamped("a", Instant.parse("2026-01-02T03:04:05Z"), Optional.of("n"));
    byte[] bytes = Json.write(stamped);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"2026-01-02T03:04:05Z\"");
    assertThat(Json.read(bytes, Stamped.class)).isEqualTo(stamped);
    assertThat(
            Json.read(
                "{\"who\":\"b\",\"extra\":1}".getBytes(StandardCharsets.UTF_8), Stamped.class))
        .extracting(Stamped::who)
        .isEqualTo("b");
    assertThatThrownBy(() -> Json.read(new byte[0], Stamped.class)).isInstanceOf(IOException.class);
  }

  @Test
  void treesReadFromBytesTextAndStreamsAlike() throws IOException {
    String text = "{\"k\":[1,2.5,\"s\"]}";
    JsonNode tree = Json.readTree(text);
    assertThat(Json.readTree(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(tree);
    assertThat(Json.readTree(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(tree);
    assertThat(Json.readTree(new byte[0]).isMissingNode()).isTrue();
    assertThatThrownBy(() -> Json.readTree("{not json")).isInstanceOf(IOException.class);
  }

  @Test
  void valuesConvertToAndFromTrees() throws JsonProcessingException {
    JsonNode tree = Json.toTree(Map.of("a", 1));
    assertThat(tree).isEqualTo(Json.objectNode().put("a", 1));
    assertThat(Json.toTree(null).isNull()).isTrue();
    assertThat(Json.fromTree(tree.get("a"), Integer.class)).isEqualTo(1);
    assertThatThrownBy(() -> Json.fromTree(Json.readTree("\"x\""), Integer.class))
        .isInstanceOf(JsonProcessingException.class);
  }
}
