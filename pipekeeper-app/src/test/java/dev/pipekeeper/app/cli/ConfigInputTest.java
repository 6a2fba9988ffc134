package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.Scope;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading values and documents, and the side-by-side diff, without a server. */
class ConfigInputTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void valuesAreJson() throws Exception {
    assertThat(ConfigInput.value(GLOBAL, "k", "0.9")).isEqualTo(json("0.9"));
    assertThat(ConfigInput.value(GLOBAL, "k", "-5")).isEqualTo(json("-5"));
    assertThat(ConfigInput.value(GLOBAL, "k", "\"text\"")).isEqualTo(json("\"text\""));
    assertThat(ConfigInput.value(GLOBAL, "k", " {\"a\": [1, true]} "))
        .isEqualTo(json("{\"a\":[1,true]}"));
    for (String bad : List.of("text", "{\"a\":1", "1 2", "", "  ", "{\"a\":1,\"a\":2}", "'x'")) {
      assertThatThrownBy(() -> ConfigInput.value(GLOBAL, "k", bad))
          .as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("config global k: the value is not valid JSON");
    }
    assertThatThrownBy(() -> ConfigInput.value(GLOBAL, "k", "secretword"))
        .hasMessageNotContaining("secretword");
  }

  @Test
  void documentsAreReadByExtensionOrContent(@TempDir Path dir) throws Exception {
    Path yaml = Files.writeString(dir.resolve("a.yml"), "a: 1\nb: [x, y]\nc: null\n");
    assertThat(ConfigInput.document(yaml.toString(), noInput()))
        .isEqualTo(json("{\"a\":1,\"b\":[\"x\",\"y\"],\"c\":null}"));
    Path jsonFile = Files.writeString(dir.resolve("a.json"), "{\"a\": 1}");
    assertThat(ConfigInput.document(jsonFile.toString(), noInput())).isEqualTo(json("{\"a\":1}"));
    Path yamlAsJson = Files.writeString(dir.resolve("b.json"), "a: 1\n");
    assertThatThrownBy(() -> ConfigInput.document(yamlAsJson.toString(), noInput()))
        .hasMessageContaining("is not valid JSON");
    Path other = Files.writeString(dir.resolve("c.txt"), "a: 1\n");
    assertThat(ConfigInput.document(other.toString(), noInput())).isEqualTo(json("{\"a\":1}"));
    assertThat(
            ConfigInput.document(
                "-", new ByteArrayInputStream("{\"x\": 2}".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(json("{\"x\":2}"));
  }

  @Test
  void changesAreAFlatMapWhereNullDeletes() throws Exception {
    Map<String, JsonNode> changes =
        ConfigInput.changes("f.yaml", json("{\"a.b\": {\"x\": 1}, \"gone\": null}"));
    assertThat(changes).containsEntry("a.b", json("{\"x\":1}")).containsEntry("gone", null);
    assertThatThrownBy(() -> ConfigInput.changes("f.yaml", json("[1]")))
        .hasMessage("f.yaml holds a list, not a map of keys to values (e.g. alert.threshold: 0.9)");
    assertThatThrownBy(() -> ConfigInput.changes("-", json("{\"A\": 1}")))
        .hasMessageStartingWith("standard input: config key 'A' is malformed");
  }

  @Test
  void theDiffAlignsCommonLinesAndMarksTheRest() {
    List<ConfigDiffCommand.Row> rows =
        ConfigDiffCommand.align(
            List.of("{", "a", "b", "c", "}"), List.of("{", "a", "x", "c", "d", "}"));
    assertThat(rows)
        .containsExactly(
            new ConfigDiffCommand.Row("{", "{", false),
            new ConfigDiffCommand.Row("a", "a", false),
            new ConfigDiffCommand.Row("b", "x", true),
            new ConfigDiffCommand.Row("c", "c", false),
            new ConfigDiffCommand.Row("", "d", true),
            new ConfigDiffCommand.Row("}", "}", false));
    assertThat(ConfigDiffCommand.align(List.of("same"), List.of("same")))
        .containsExactly(new ConfigDiffCommand.Row("same", "same", false));
  }

  /**
   * A device that never ends, or a file past the bound, is refused in one line; reading {@code
   * /dev/zero} used to fill the heap (an OutOfMemoryError, exit 70).
   */
  @Test
  void anEndlessOrHugeInputIsRefusedNotReadWhole() {
    assertThatThrownBy(() -> ConfigInput.document("/dev/zero", noInput()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("cannot read /dev/zero: it holds more than 16 MiB");
    InputStream endless =
        new java.io.InputStream() {
          @Override
          public int read() {
            return '1';
          }
        };
    assertThatThrownBy(() -> ConfigInput.document("-", endless))
        .hasMessage("cannot read standard input: it holds more than 16 MiB");
  }

  /**
   * Seeded: values and documents (JSON, YAML, random bytes, broken and hostile text) either read or
   * are refused as bad input with a message, never another exception.
   */
  @Test
  void hostileValuesAndDocumentsReadOrAreRefused(@TempDir Path dir) {
    dev.pipekeeper.embedded.junit.Fuzz fuzz =
        dev.pipekeeper.embedded.junit.Fuzz.start("config input", 2000);
    fuzz.run(
        run -> {
          String text =
              switch (fuzz.random().nextInt(5)) {
                case 0 -> fuzz.json();
                case 1 -> fuzz.mutate("a: &x [1]\nb: *x\nc: {d: !!binary AAE=}\n---\ne: 1\n");
                case 2 ->
                    fuzz.mutate("{\"k\": 1, \"mode\": \"fast\", \"x.y\": [1, {\"a\": null}]}");
                case 3 -> fuzz.string(200);
                default -> fuzz.jsonValue(3);
              };
          try {
            ConfigInput.value(GLOBAL, "k", text);
          } catch (InvalidInputException refused) {
            assertThat(refused.getMessage()).isNotBlank();
          }
          Path file = dir.resolve("in" + fuzz.pick(".json", ".yaml", ".yml", ".txt", ""));
          if (fuzz.chance(20)) {
            Files.write(file, fuzz.bytes(200));
          } else {
            Files.write(file, text.getBytes(StandardCharsets.UTF_8));
          }
          try {
            ConfigInput.changes(file.toString(), ConfigInput.document(file.toString(), noInput()));
          } catch (InvalidInputException refused) {
            assertThat(refused.getMessage()).isNotBlank();
          }
        });
  }

  /** Standard input for tests that do not read it. */
  private static InputStream noInput() {
    return new ByteArrayInputStream(new byte[0]);
  }
}
