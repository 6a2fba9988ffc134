package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@link JsonOutput}: one way for a command to end its output, as JSON or as text. */
class JsonOutputTest {

  @Command(name = "sample")
  static final class Sample implements Callable<Integer> {
    @Mixin JsonOutput output;
    int asked;

    @Override
    public Integer call() {
      output.notes().println("a note");
      output.print(
          () -> {
            asked++;
            return Map.of("rows", List.of(1, 2));
          },
          out -> out.println("two rows"));
      return ExitCodes.OK;
    }
  }

  private record Run(String out, String err, Sample command) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Sample sample = new Sample();
    new CommandLine(sample)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(out.toString(), err.toString(), sample);
  }

  @Test
  void withoutJsonTheTextFormIsPrintedAndTheDataNeverBuilt() {
    Run text = run();
    assertThat(text.out()).isEqualTo("a note\ntwo rows\n".replace("\n", System.lineSeparator()));
    assertThat(text.err()).isEmpty();
    assertThat(text.command().asked).isZero();
    assertThat(text.command().output.isJson()).isFalse();
  }

  @Test
  void withJsonStandardOutputCarriesOnlyThePrettyPrintedDocument() {
    Run json = run("--json");
    assertThat(json.out())
        .isEqualTo(Json.write(Map.of("rows", List.of(1, 2))) + System.lineSeparator());
    assertThat(json.out()).contains("\"rows\"").doesNotContain("two rows", "a note");
    assertThat(json.err()).isEqualTo("a note" + System.lineSeparator());
    assertThat(json.command().asked).isEqualTo(1);
  }

  @Test
  void aStreamLineIsCompactJsonOrTheText() {
    Sample sample = new Sample();
    new CommandLine(sample).parseArgs("--json");
    assertThat(sample.output.line(() -> Map.of("a", 1), () -> "text")).isEqualTo("{\"a\":1}");
    Sample plain = new Sample();
    new CommandLine(plain).parseArgs();
    assertThat(plain.output.line(() -> Map.of("a", 1), () -> "text")).isEqualTo("text");
  }

  @Test
  void everyCommandThatOffersJsonSaysInItsHelpWhatItsJsonHolds() {
    String[] commands = {
      "status", "members", "leaders", "leaders retire", "locks", "units list", "assignments",
      "health", "alerts", "run", "config get", "config set", "config apply", "config delete",
      "config rollback", "config list", "config history", "config watch", "config applied"
    };
    for (String command : commands) {
      String[] words = (command + " --help").split(" ");
      String help = CliRun.run(words).out();
      String line = help.lines().filter(l -> l.strip().startsWith("--json")).findFirst().orElse("");
      assertThat(line).as(command).isNotEmpty().doesNotContain("Print the data as JSON.");
      assertThat(line.strip()).as(command).matches("--json\\s+\\S.*");
    }
  }
}
