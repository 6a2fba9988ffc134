package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.Scope;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the config commands word what they refuse in their input, and the diff, without a server. */
class ConfigWriteInputTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Scope GLOBAL = Scope.global();

  @Test
  void aDuplicateKeyIsCalledThatNotAQuotingProblem(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ConfigInput.value(GLOBAL, "k", "{\"a\":1,\"a\":2}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "config global k: the value is not valid JSON: duplicate key 'a' (at column ")
        .hasMessageNotContaining("quotes");
    Path yaml = Files.writeString(dir.resolve("dup.yaml"), "a: 1\nb: 2\na: 3\n");
    assertThatThrownBy(() -> ConfigInput.document(yaml.toString(), noInput()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is not valid YAML (line 3")
        .hasMessageContaining("duplicate key 'a'");
    Path json = Files.writeString(dir.resolve("dup.json"), "{\"a\": 1, \"a\": 2}");
    assertThatThrownBy(() -> ConfigInput.document(json.toString(), noInput()))
        .hasMessageContaining("duplicate key 'a'");
  }

  @Test
  void inputThatIsNotUtf8IsRefusedAsSuch(@TempDir Path dir) throws Exception {
    byte[] latin1 = "mode: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    for (String name : List.of("latin1.yaml", "latin1.json", "latin1.txt")) {
      Path file = Files.write(dir.resolve(name), latin1);
      assertThatThrownBy(() -> ConfigInput.document(file.toString(), noInput()))
          .as(name)
          .isInstanceOf(InvalidInputException.class)
          .hasMessage(file + " is not UTF-8 text (byte 10 is not valid UTF-8); save it as UTF-8");
    }
    assertThatThrownBy(() -> ConfigInput.document("-", new ByteArrayInputStream(latin1)))
        .hasMessage(
            "standard input is not UTF-8 text (byte 10 is not valid UTF-8); save it as UTF-8");
    Path utf8 = Files.writeString(dir.resolve("utf8.yaml"), "mode: caf\u00e9\n");
    assertThat(ConfigInput.document(utf8.toString(), noInput()).path("mode").asText())
        .isEqualTo("caf\u00e9");
  }

  @Test
  void aMalformedKeyIsToldTheRealRule() {
    for (String key : List.of("-x", "_x", "a.-b")) {
      assertThatThrownBy(() -> ConfigInput.changes("f.yaml", JSON.createObjectNode().put(key, 1)))
          .as(key)
          .hasMessage(
              "f.yaml: config key '"
                  + key
                  + "' is malformed: use dot-separated words of a-z 0-9 _ -, each starting with a"
                  + " letter or a digit, e.g. alert.threshold");
    }
  }

  @Test
  void theDiffDoesNotMarkALineWhoseOnlyChangeIsATrailingComma() {
    List<ConfigDiffCommand.Row> rows =
        ConfigDiffCommand.align(
            List.of("{", "  \"a\" : 1", "}"), List.of("{", "  \"a\" : 1,", "  \"b\" : 2", "}"));
    assertThat(rows)
        .containsExactly(
            new ConfigDiffCommand.Row("{", "{", false),
            new ConfigDiffCommand.Row("  \"a\" : 1", "  \"a\" : 1,", false),
            new ConfigDiffCommand.Row("", "  \"b\" : 2", true),
            new ConfigDiffCommand.Row("}", "}", false));
    // a real change still shows, comma or not
    assertThat(ConfigDiffCommand.align(List.of("  \"a\" : 1,"), List.of("  \"a\" : 2")))
        .containsExactly(new ConfigDiffCommand.Row("  \"a\" : 1,", "  \"a\" : 2", true));
  }

  private static InputStream noInput() {
    return new ByteArrayInputStream(new byte[0]);
  }
}
