package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.embedded.junit.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
  record Order(String id, String customer, double amount, List<String> tags, Map<String, Long> n) {}

  @Test
  void recordsRoundTripWhateverTheirContent() {
    long seed = Seeds.seed("property.seed", "JsonSerdeTest");
    Random random = new Random(seed);
    JsonSerde<Order> serde = JsonSerde.of(Order.class);
    for (int i = 0; i < 500; i++) {
      Order order =
          new Order(
              text(random),
              random.nextBoolean() ? null : text(random),
              random.nextDouble() * 1e6,
              List.of(text(random), text(random)),
              Map.of(text(random) + "k", random.nextLong()));
      byte[] bytes = serde.serializer().serialize("t", order);
      assertThat(serde.deserializer().deserialize("t", bytes)).as("seed %d", seed).isEqualTo(order);
    }
  }

  @Test
  void nullIsNullBothWays() {
    JsonSerde<JsonNode> serde = JsonSerde.tree();
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void bytesThatAreNotJsonOfTheTypeFailNamingTheType() {
    JsonSerde<Order> serde = JsonSerde.of(Order.class);
    assertThatThrownBy(
            () ->
                serde.deserializer().deserialize("t", "{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("not JSON of Order: ");
    assertThatThrownBy(
            () -> serde.deserializer().deserialize("t", "[1,2]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("not JSON of Order: ");
  }

  /** Any text, including quotes, backslashes, control and non-ASCII characters. */
  private static String text(Random random) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      text.append(
          (char) (random.nextBoolean() ? random.nextInt(128) : 0x80 + random.nextInt(4000)));
    }
    return text.toString();
  }
}
