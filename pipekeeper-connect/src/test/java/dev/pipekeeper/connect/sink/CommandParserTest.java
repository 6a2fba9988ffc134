package dev.pipekeeper.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.connect.sink.CommandParser.Commands;
import dev.pipekeeper.connect.sink.CommandParser.Parsed;
import dev.pipekeeper.connect.sink.CommandParser.Rejected;
import dev.pipekeeper.connect.sink.SinkCommand.Op;
import dev.pipekeeper.embedded.junit.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** The command format: what it accepts, and a clear reason for everything else, never a crash. */
class CommandParserTest {
  static final CommandParser TREE = new CommandParser("/app", false, false, 4096, 5);
  static final CommandParser CONFIG =
      new CommandParser("/pipekeeper/pay/config", true, false, 4096, 5);

  @Test
  void oneCommandOfEachKindFromTextBytesAMapOrAStruct() {
    Commands create =
        commands(TREE.parse("{\"op\":\"create\",\"path\":\"/app/a/b\",\"data\":\"hello\"}"));
    assertThat(create.batch()).isFalse();
    SinkCommand c = create.commands().get(0);
    assertThat(c.op()).isEqualTo(Op.CREATE);
    assertThat(c.expectedVersion()).hasValue(-1);
    assertThat(new String(c.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(c.ephemeral()).isFalse();

    SinkCommand set =
        commands(
                TREE.parse(
                    "{\"op\":\"set\",\"path\":\"/app/a\",\"dataBase64\":\"AAE=\",\"expectedVersion\":3}"
                        .getBytes(StandardCharsets.UTF_8)))
            .commands()
            .get(0);
    assertThat(set.data()).containsExactly(0, 1);
    assertThat(set.expectedVersion()).hasValue(3);
    assertThat(set.describe()).isEqualTo("set /app/a@3");

    SinkCommand delete =
        commands(TREE.parse(Map.of("op", "delete", "path", "/app/a"))).commands().get(0);
    assertThat(delete.op()).isEqualTo(Op.DELETE);
    assertThat(delete.expectedVersion()).isEmpty();

    Schema schema =
        SchemaBuilder.struct()
            .field("op", Schema.STRING_SCHEMA)
            .field("path", Schema.STRING_SCHEMA)
            .field("json", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
            .build();
    Struct struct =
        new Struct(schema).put("op", "set").put("path", "/app").put("json", Map.of("n", 1));
    SinkCommand fromStruct = commands(TREE.parse(struct)).commands().get(0);
    assertThat(new String(fromStruct.data(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
  }

  @Test
  void aBatchIsAllItsCommandsInOrder() {
    Commands batch =
        commands(
            TREE.parse(
                "{\"batch\":[{\"op\":\"create\",\"path\":\"/app/x\"},"
                    + "{\"op\":\"set\",\"path\":\"/app/x\",\"json\":[1,2]},"
                    + "{\"op\":\"delete\",\"path\":\"/app/y\",\"expectedVersion\":0}]}"));
    assertThat(batch.batch()).isTrue();
    assertThat(batch.commands())
        .extracting(SinkCommand::describe)
        .containsExactly("create /app/x", "set /app/x", "delete /app/y@0");
  }

  @Test
  void eachRefusalSaysWhy() {
    assertReason(TREE.parse(null), "tombstone");
    assertReason(TREE.parse("{\"op\":\"set\""), "not JSON");
    assertReason(TREE.parse("[1]"), "JSON object, not an array");
    assertReason(TREE.parse(42), "not a Integer");
    assertReason(
        TREE.parse("{\"op\":\"set\",\"path\":\"/other/a\"}"),
        "outside the connector's subtree /app");
    assertReason(TREE.parse("{\"op\":\"set\",\"path\":\"/application\"}"), "outside");
    assertReason(TREE.parse("{\"op\":\"set\",\"path\":\"/app/../x\"}"), "not valid");
    assertReason(TREE.parse("{\"op\":\"set\",\"path\":\"app/x\"}"), "not absolute");
    assertReason(TREE.parse("{\"op\":\"delete\",\"path\":\"/app\"}"), "subtree's root");
    assertReason(
        TREE.parse("{\"op\":\"rename\",\"path\":\"/app/a\"}"), "not create, set or delete");
    assertReason(TREE.parse("{\"path\":\"/app/a\"}"), "'op' is missing");
    assertReason(TREE.parse("{\"op\":\"set\",\"path\":\"/app/a\",\"x\":1}"), "unknown field 'x'");
    assertReason(
        TREE.parse("{\"op\":\"set\",\"path\":\"/app/a\",\"data\":\"a\",\"json\":1}"),
        "at most one");
    assertReason(TREE.parse("{\"op\":\"delete\",\"path\":\"/app/a\",\"data\":\"a\"}"), "no data");
    assertReason(
        TREE.parse("{\"op\":\"set\",\"path\":\"/app/a\",\"dataBase64\":\"%%\"}"), "not base64");
    assertReason(
        TREE.parse("{\"op\":\"create\",\"path\":\"/app/a\",\"expectedVersion\":2}"), "only be -1");
    assertReason(
        TREE.parse("{\"op\":\"set\",\"path\":\"/app/a\",\"expectedVersion\":-3}"), "negative");
    assertReason(
        TREE.parse("{\"op\":\"set\",\"path\":\"/app/a\",\"expectedVersion\":1.5}"),
        "not an integer");
    assertReason(
        TREE.parse("{\"op\":\"create\",\"path\":\"/app/a\",\"ephemeral\":true}"),
        "ephemeral.allowed");
    assertReason(
        TREE.parse("{\"op\":\"set\",\"op\":\"delete\",\"path\":\"/app/a\"}"), "Duplicate field");
    assertReason(TREE.parse("{\"batch\":[]}"), "non-empty array");
    assertReason(
        TREE.parse("{\"batch\":[{\"op\":\"set\",\"path\":\"/app/a\"}],\"op\":\"set\"}"),
        "nothing else");
    assertReason(
        TREE.parse(
            "{\"batch\":[{\"op\":\"set\",\"path\":\"/app/a\"},{\"op\":\"set\",\"path\":\"/x\"}]}"),
        "command 2 of the batch: path /x is outside");
    assertReason(TREE.parse("{\"batch\":[1,2,3,4,5,6]}"), "max.batch.commands");
    assertReason(
        TREE.parse("{\"op\":\"set\",\"path\":\"/app/a\",\"data\":\"" + "x".repeat(5000) + "\"}"),
        "max.command.bytes");
    CommandParser ephemeral = new CommandParser("/app", false, true, 4096, 5);
    assertThat(
            commands(ephemeral.parse("{\"op\":\"create\",\"path\":\"/app/e\",\"ephemeral\":true}"))
                .commands()
                .get(0)
                .ephemeral())
        .isTrue();
  }

  @Test
  void inAConfigurationTreePathsAreKeysValuesJsonAndABatchOneScope() {
    SinkCommand set =
        commands(
                CONFIG.parse(
                    "{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/rate\",\"json\":5}"))
            .commands()
            .get(0);
    assertThat(set.json().intValue()).isEqualTo(5);
    SinkCommand text =
        commands(
                CONFIG.parse(
                    "{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/rate\",\"data\":\"[1]\"}"))
            .commands()
            .get(0);
    assertThat(text.json().isArray()).isTrue();
    assertReason(
        CONFIG.parse(
            "{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/rate\",\"data\":\"plain\"}"),
        "not JSON text");
    assertReason(
        CONFIG.parse("{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/rate\"}"),
        "give json");
    assertReason(
        CONFIG.parse(
            "{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/_commit\",\"json\":1}"),
        "malformed");
    assertReason(
        CONFIG.parse(
            "{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/a\",\"dataBase64\":\"AA==\"}"),
        "not dataBase64");
    assertReason(
        CONFIG.parse(
            "{\"batch\":[{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/a\",\"json\":1},"
                + "{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/pipeline/p/a\",\"json\":1}]}"),
        "one scope");
    assertReason(
        CONFIG.parse(
            "{\"batch\":[{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/a\",\"json\":1},"
                + "{\"op\":\"delete\",\"path\":\"/pipekeeper/pay/config/global/a\"}]}"),
        "twice");
  }

  /**
   * Seeded random inputs, mostly malformed (valid commands mutated, random bytes, random JSON):
   * never a crash, always commands inside the subtree or a one-line reason. The seed is printed.
   */
  @Test
  void randomInputsNeverCrashTheParser() {
    long seed = Seeds.seed("sink.parser.seed", "CommandParserTest");
    Random random = new Random(seed);
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      Object input = randomInput(random);
      for (CommandParser parser : List.of(TREE, CONFIG)) {
        Parsed parsed = parser.parse(input);
        if (parsed instanceof Rejected rejected) {
          assertThat(rejected.reason()).as("seed %d input %s", seed, input).isNotBlank();
          assertThat(rejected.reason())
              .as("seed %d: one printable line", seed)
              .doesNotContain("\n", "\r")
              .matches(r -> r.chars().noneMatch(Character::isISOControl));
          assertThat(rejected.reason()).doesNotContain("Exception");
        } else {
          accepted++;
          String root = parser == TREE ? "/app" : "/pipekeeper/pay/config";
          assertThat(((Commands) parsed).commands())
              .as("seed %d", seed)
              .isNotEmpty()
              .allMatch(c -> c.path().equals(root) || c.path().startsWith(root + "/"));
        }
      }
    }
    assertThat(accepted).as("seed %d: some inputs stay valid", seed).isPositive();
  }

  private static final String[] VALID = {
    "{\"op\":\"create\",\"path\":\"/app/a\",\"data\":\"x\"}",
    "{\"op\":\"set\",\"path\":\"/app/a/b\",\"json\":{\"k\":[1,2]},\"expectedVersion\":2}",
    "{\"op\":\"delete\",\"path\":\"/app/a\",\"expectedVersion\":0}",
    "{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/global/rate\",\"json\":5}",
    "{\"batch\":[{\"op\":\"create\",\"path\":\"/app/x\"},{\"op\":\"set\",\"path\":\"/app/x\",\"data\":\"1\"}]}",
    "{\"batch\":[{\"op\":\"set\",\"path\":\"/pipekeeper/pay/config/pipeline/p/a\",\"json\":true}]}"
  };

  private static final String ALPHABET =
      "{}[]\":,/.\\ \u0000\u00e9\ud83d\ude00abcopstdelr0123456789-+eE";

  private static Object randomInput(Random random) {
    String base = VALID[random.nextInt(VALID.length)];
    switch (random.nextInt(8)) {
      case 0 -> {
        byte[] bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        return bytes;
      }
      case 1 -> {
        return base.substring(0, random.nextInt(base.length() + 1));
      }
      case 2 -> {
        StringBuilder out = new StringBuilder(base);
        for (int n = random.nextInt(4) + 1; n > 0 && out.length() > 0; n--) {
          int at = random.nextInt(out.length());
          out.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return out.toString();
      }
      case 3 -> {
        return "[".repeat(random.nextInt(3000)) + "]".repeat(random.nextInt(3));
      }
      case 4 -> {
        return base.replace("\"/app", "\"/app/" + randomSegment(random))
            .replace("/global/", "/" + randomSegment(random) + "/");
      }
      case 5 -> {
        Map<String, Object> map = new java.util.HashMap<>();
        map.put("op", random.nextBoolean() ? "set" : random.nextInt());
        map.put("path", random.nextBoolean() ? "/app/" + randomSegment(random) : null);
        if (random.nextBoolean()) {
          map.put("json", nested(random, random.nextInt(150)));
        }
        return map;
      }
      case 6 -> {
        return random.nextBoolean() ? null : random.nextDouble();
      }
      default -> {
        return base;
      }
    }
  }

  private static String randomSegment(Random random) {
    String[] parts = {
      "..", ".", "", "a b", "x\u0000", "zookeeper", "\ud800", "ok", "a/b", "_commit"
    };
    return parts[random.nextInt(parts.length)];
  }

  private static Object nested(Random random, int depth) {
    Object value = random.nextInt(10);
    for (int i = 0; i < depth; i++) {
      value = random.nextBoolean() ? List.of(value) : Map.of("k", value);
    }
    return value;
  }

  private static Commands commands(Parsed parsed) {
    assertThat(parsed).isInstanceOf(Commands.class);
    return (Commands) parsed;
  }

  private static void assertReason(Parsed parsed, String fragment) {
    assertThat(parsed).isInstanceOf(Rejected.class);
    assertThat(((Rejected) parsed).reason()).contains(fragment);
  }
}
