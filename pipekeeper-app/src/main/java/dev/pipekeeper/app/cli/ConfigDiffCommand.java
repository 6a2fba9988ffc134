package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper config diff KEY SEQ1 SEQ2}. */
@Command(
    name = "diff",
    description = {
      "Shows a key's value after two history entries side by side.",
      "Values are pretty-printed JSON; lines that differ are marked with *. A secret stays"
          + " masked (marked if its values differ)."
    })
final class ConfigDiffCommand implements Callable<Integer> {
  /** Above this many line pairs, lines are compared in order instead of aligned. */
  private static final long ALIGN_LIMIT = 1_000_000;

  @ParentCommand ConfigCommand config;
  @Spec CommandSpec spec;
  @Mixin ConfigOptions.ScopeOption scopeOption;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. alert.threshold.")
  String key;

  @Parameters(index = "1", paramLabel = "SEQ1", description = "A history entry (left).")
  int left;

  @Parameters(index = "2", paramLabel = "SEQ2", description = "Another history entry (right).")
  int right;

  @Override
  public Integer call() {
    Scope scope = scopeOption.parse();
    ConfigKeys.check(key);
    List<HistoryEntry> history;
    boolean secret;
    try (Pipekeeper pk = config.connect()) {
      history = pk.config().history(scope, key);
      secret = Secrecy.of(pk.config(), scope).isSecret(key);
    }
    HistoryEntry a = find(scope, history, left);
    HistoryEntry b = find(scope, history, right);
    List<String> leftLines = ConfigText.prettyLines(a.newValue().orElse(null), secret);
    List<String> rightLines = ConfigText.prettyLines(b.newValue().orElse(null), secret);
    // A secret shows as one masked line on each side, marked if the hidden values differ.
    List<Row> rows =
        secret
            ? List.of(
                new Row(leftLines.get(0), rightLines.get(0), !a.newValue().equals(b.newValue())))
            : align(leftLines, rightLines);
    PrintWriter out = spec.commandLine().getOut();
    String leftTitle = title(a);
    int width = leftTitle.length();
    for (Row row : rows) {
      width = Math.max(width, row.left().length());
    }
    out.println(line(false, leftTitle, title(b), width));
    int differing = 0;
    for (Row row : rows) {
      differing += row.differs() ? 1 : 0;
      out.println(line(row.differs(), row.left(), row.right(), width));
    }
    if (differing == 0) {
      out.printf("%s %s had the same value after entries %d and %d.%n", scope, key, left, right);
    } else {
      out.printf(
          "%s %s: %d %s between entries %d and %d.%n",
          scope, key, differing, differing == 1 ? "line differs" : "lines differ", left, right);
    }
    return ExitCodes.OK;
  }

  private static String title(HistoryEntry entry) {
    return "#" + entry.sequence() + " " + ConfigText.when(entry.at()) + " " + entry.who();
  }

  private static String line(boolean differs, String left, String right, int width) {
    String text =
        (differs ? "* " : "  ") + left + " ".repeat(width - left.length()) + " | " + right;
    return text.stripTrailing();
  }

  private HistoryEntry find(Scope scope, List<HistoryEntry> history, int sequence) {
    for (HistoryEntry entry : history) {
      if (entry.sequence() == sequence) {
        return entry;
      }
    }
    throw new InvalidInputException(
        "config "
            + scope
            + " "
            + key
            + " has no history entry "
            + sequence
            + (history.isEmpty()
                ? " (it has no history)"
                : " (it has entries "
                    + history.get(0).sequence()
                    + " to "
                    + history.get(history.size() - 1).sequence()
                    + ")"));
  }

  /** One line of the side-by-side view; an empty side has no line there. */
  record Row(String left, String right, boolean differs) {}

  /**
   * Aligns two texts line by line on their longest common subsequence; changed lines between two
   * common ones are paired up. Lines are compared without a trailing comma: pretty-printed JSON
   * gives an unchanged line one when an entry is added after it.
   */
  static List<Row> align(List<String> a, List<String> b) {
    return align(
        a,
        b,
        a.stream().map(ConfigDiffCommand::sameAs).toList(),
        b.stream().map(ConfigDiffCommand::sameAs).toList());
  }

  /** A line as compared: without its trailing comma. */
  private static String sameAs(String line) {
    return line.endsWith(",") ? line.substring(0, line.length() - 1) : line;
  }

  /**
   * {@link #align(List, List)}: shows {@code a} and {@code b}, compares {@code ca} and {@code cb}.
   */
  private static List<Row> align(List<String> a, List<String> b, List<String> ca, List<String> cb) {
    List<Row> rows = new ArrayList<>();
    if ((long) a.size() * b.size() > ALIGN_LIMIT) {
      for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
        String l = i < a.size() ? a.get(i) : "";
        String r = i < b.size() ? b.get(i) : "";
        rows.add(new Row(l, r, i >= a.size() || i >= b.size() || !ca.get(i).equals(cb.get(i))));
      }
      return rows;
    }
    int[][] common = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        common[i][j] =
            ca.get(i).equals(cb.get(j))
                ? common[i + 1][j + 1] + 1
                : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    List<String> onlyLeft = new ArrayList<>();
    List<String> onlyRight = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && ca.get(i).equals(cb.get(j))) {
        flush(rows, onlyLeft, onlyRight);
        rows.add(new Row(a.get(i), b.get(j), false));
        i++;
        j++;
      } else if (j >= b.size() || (i < a.size() && common[i + 1][j] >= common[i][j + 1])) {
        onlyLeft.add(a.get(i++));
      } else {
        onlyRight.add(b.get(j++));
      }
    }
    flush(rows, onlyLeft, onlyRight);
    return rows;
  }

  private static void flush(List<Row> rows, List<String> onlyLeft, List<String> onlyRight) {
    for (int k = 0; k < Math.max(onlyLeft.size(), onlyRight.size()); k++) {
      rows.add(
          new Row(
              k < onlyLeft.size() ? onlyLeft.get(k) : "",
              k < onlyRight.size() ? onlyRight.get(k) : "",
              true));
    }
    onlyLeft.clear();
    onlyRight.clear();
  }
}
