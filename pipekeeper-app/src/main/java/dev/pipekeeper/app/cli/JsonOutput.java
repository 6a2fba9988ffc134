package dev.pipekeeper.app.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --json}, the mixin of every command that prints data, and the one way such a command ends
 * its output: the data as one JSON document ({@link Json}) when {@code --json} is given, its text
 * form otherwise. What the JSON of each command holds is said in its help: the descriptions are in
 * {@code OptionDescriptions.properties}, by command.
 */
final class JsonOutput {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--json", descriptionKey = "json", description = "Print the data as JSON.")
  boolean json;

  /** Whether {@code --json} was given. */
  boolean isJson() {
    return json;
  }

  /**
   * Prints the command's output on standard output: {@code data} as pretty-printed JSON with {@code
   * --json}, else what {@code text} prints. {@code data} is only asked for JSON.
   */
  void print(Supplier<?> data, Consumer<PrintWriter> text) {
    PrintWriter out = command.commandLine().getOut();
    if (json) {
      out.println(Json.write(data.get()));
    } else {
      text.accept(out);
    }
  }

  /**
   * One line of a stream of output ({@code config watch}): {@code data} as compact JSON on one line
   * with {@code --json}, else {@code text}.
   */
  String line(Supplier<?> data, Supplier<String> text) {
    return json ? Json.line(data.get()) : text.get();
  }

  /**
   * Where a command prints what is not its data (a banner, a note): standard error with {@code
   * --json}, so that standard output carries only the JSON, else standard output.
   */
  PrintWriter notes() {
    return json ? command.commandLine().getErr() : command.commandLine().getOut();
  }
}
