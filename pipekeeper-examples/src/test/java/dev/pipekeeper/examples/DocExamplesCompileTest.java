package dev.pipekeeper.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every Java example of the documentation against the test classpath (core, kafka,
 * embedded, kafka-streams, JUnit), one case per example named by its file and line: the {@code
 * ```java} fenced blocks of {@code README.md} and {@code docs/*.md}, and the {@code <pre>{@code
 * ...}</pre>} blocks of the javadoc in the main sources of pipekeeper-core, pipekeeper-kafka and
 * pipekeeper-embedded.
 *
 * <p>The conventions the examples follow:
 *
 * <ul>
 *   <li>An example that is a compilation unit (it declares a top-level class, interface, record or
 *       enum, after optional imports and annotations) compiles as it is.
 *   <li>Any other example is a fragment: a sequence of statements, compiled as the body of a method
 *       that may throw any exception. Its leading {@code import} lines, if any, are moved to the
 *       top.
 *   <li>Every example gets on-demand imports of the public packages of core, kafka, embedded and
 *       console and of {@link #LIBRARY_IMPORTS}; anything else it imports itself.
 *   <li>What a fragment takes from its context is declared by an HTML comment just before the
 *       example (the line before the fence, or the javadoc line before {@code <pre>}), a list
 *       separated by {@code ;} of variables ({@code Type name}, fields of the generated class),
 *       methods ({@code Type name(Type arg)}, generated as stubs) and types ({@code record
 *       Order(String id)}, nested in the generated class): {@code <!-- example-context: Pipekeeper
 *       pk; double enrich(Order order) -->}. The comment renders as nothing.
 *   <li>A block that is not Java is not fenced {@code ```java}; in javadoc its {@code <pre>}
 *       carries a class ({@code <pre class="language-json">{@code ...}</pre>}), which this test
 *       skips.
 * </ul>
 *
 * Compiler errors and deprecation warnings fail the example, with the diagnostics placed at their
 * file and line in the documentation and the generated source.
 */
class DocExamplesCompileTest {

  /** The on-demand imports every example gets besides the public packages of the modules. */
  static final List<String> LIBRARY_IMPORTS =
      List.of(
          "java.io",
          "java.net",
          "java.nio.file",
          "java.time",
          "java.util",
          "java.util.concurrent",
          "java.util.function",
          "org.apache.kafka.common.serialization",
          "org.apache.kafka.streams",
          "org.apache.curator.framework",
          "org.apache.curator.retry",
          "org.apache.zookeeper",
          "org.junit.jupiter.api",
          "org.junit.jupiter.api.extension");

  private static final List<String> MODULES =
      List.of("pipekeeper-core", "pipekeeper-kafka", "pipekeeper-embedded", "pipekeeper-console");

  private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})\\s*([^`\\s]*).*$");
  private static final Pattern CONTEXT =
      Pattern.compile("^<!--\\s*example-context:(.*)-->$", Pattern.DOTALL);
  private static final Pattern IMPORT =
      Pattern.compile("^\\s*import\\s+(static\\s+)?[\\w.*]+\\s*;");
  private static final Pattern UNIT =
      Pattern.compile(
          "\\A(?:\\s|//[^\\n]*\\n|/\\*.*?\\*/)*(?:package\\s+[\\w.]+\\s*;\\s*)?"
              + "(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*"
              + "(?:(?:public|protected|private|abstract|final|static|sealed|non-sealed|strictfp)"
              + "\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)",
          Pattern.DOTALL);
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+[\\w.]+\\s*;");
  private static final Pattern TYPE_DECLARATION =
      Pattern.compile("^(?:static\\s+)?(?:record|class|interface|enum)\\b");

  @TempDir static Path classes;

  @TestFactory
  Stream<DynamicTest> everyDocumentedExampleCompiles() throws IOException {
    Path root = repositoryRoot();
    List<Example> examples = new ArrayList<>();
    List<Path> markdown = new ArrayList<>();
    markdown.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(markdown::add);
    }
    for (Path file : markdown) {
      examples.addAll(markdownExamples(root, file));
    }
    TreeSet<String> packages = new TreeSet<>();
    for (String module : MODULES) {
      Path sources = root.resolve(module).resolve("src/main/java");
      List<Path> files;
      try (Stream<Path> walk = Files.walk(sources)) {
        files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      }
      for (Path file : files) {
        String pkg =
            sources.relativize(file.getParent()).toString().replace(File.separatorChar, '.');
        if (!Arrays.asList(pkg.split("\\.")).contains("internal")) {
          packages.add(pkg);
        }
        examples.addAll(javadocExamples(root, file));
      }
    }
    // The extraction must find something everywhere examples are known to be, or it is broken.
    for (String where :
        List.of("README.md", "pipekeeper-core/", "pipekeeper-kafka/", "pipekeeper-embedded/")) {
      assertThat(examples)
          .as("examples found in " + where)
          .anyMatch(e -> e.location().startsWith(where));
    }
    List<String> imports = new ArrayList<>(packages);
    imports.addAll(LIBRARY_IMPORTS);
    String importLine =
        imports.stream().map(p -> "import " + p + ".*;").collect(Collectors.joining(" "));
    Compiler compiler = new Compiler(importLine);
    return examples.stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.location(),
                    URI.create(e.file().toUri() + "?line=" + e.firstLine()),
                    () -> compiler.check(e)));
  }

  @Test
  void aFragmentThatDoesNotCompileFailsAtItsLineInTheDocumentation(@TempDir Path dir)
      throws IOException {
    Path guide = dir.resolve("GUIDE.md");
    Files.write(
        guide,
        List.of(
            "# Guide",
            "",
            "<!-- example-context: String name -->",
            "```java",
            "int length = name.length();",
            "int wrong = name.size();",
            "```"));
    List<Example> examples = markdownExamples(dir, guide);
    assertThat(examples).extracting(Example::location).containsExactly("GUIDE.md:5");
    assertThat(examples.get(0).context()).isEqualTo("String name");
    assertThatThrownBy(() -> new Compiler("").check(examples.get(0)))
        .hasMessageStartingWith("GUIDE.md:5: the example does not compile")
        .hasMessageContaining("GUIDE.md:6: error: cannot find symbol")
        .hasMessageNotContaining("GUIDE.md:5: error");
  }

  @Test
  void javadocExamplesAreFoundWithTheirContextAndAClassCompilesAsItIs(@TempDir Path dir)
      throws IOException {
    Path sample = dir.resolve("Sample.java");
    Files.write(
        sample,
        List.of(
            "/**",
            " * Text.",
            " * <!-- example-context: List<String> names; int twice(int n) -->",
            " *",
            " * <pre>{@code",
            " * int n = twice(names.size());",
            " * }</pre>",
            " *",
            " * <pre class=\"language-json\">{@code",
            " * {\"not\": \"java\"}",
            " * }</pre>",
            " *",
            " * <pre>{@code",
            " * public class Other {",
            " *   List<String> names() { return List.of(); }",
            " * }",
            " * }</pre>",
            " */",
            "class Sample {}"));
    List<Example> examples = javadocExamples(dir, sample);
    assertThat(examples)
        .extracting(Example::location, Example::context)
        .containsExactly(
            tuple("Sample.java:6", "List<String> names; int twice(int n)"),
            tuple("Sample.java:14", ""));
    Compiler compiler = new Compiler("import java.util.*;");
    examples.forEach(compiler::check);
  }

  @Test
  void aFenceThatIsNeverClosedFails(@TempDir Path dir) throws IOException {
    Path guide = dir.resolve("GUIDE.md");
    Files.write(guide, List.of("```xml", "<a/>", "``` is no closing fence", "text"));
    assertThatThrownBy(() -> markdownExamples(dir, guide))
        .hasMessage("GUIDE.md:1: the fence opened here is never closed");
  }

  /** One documented example: where it is, its lines, and the context its comment declares. */
  record Example(String location, Path file, int firstLine, List<String> lines, String context) {
    /** The file's path from the repository's root. */
    String path() {
      return location.substring(0, location.lastIndexOf(':'));
    }
  }

  static List<Example> markdownExamples(Path root, Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, UTF_8);
    String name = root.relativize(file).toString().replace(File.separatorChar, '/');
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      String fence = open.group(1);
      int close = i + 1;
      while (close < lines.size() && !isClosingFence(lines.get(close), fence)) {
        close++;
      }
      if (close == lines.size()) {
        fail(name + ":" + (i + 1) + ": the fence opened here is never closed");
      }
      if (open.group(2).equals("java")) {
        examples.add(
            new Example(
                name + ":" + (i + 2),
                file,
                i + 2,
                lines.subList(i + 1, close),
                context(lines, i, name)));
      }
      i = close;
    }
    return examples;
  }

  private static boolean isClosingFence(String line, String fence) {
    String stripped = line.strip();
    return line.length() - line.stripLeading().length() <= 3
        && stripped.length() >= fence.length()
        && stripped.chars().allMatch(c -> c == fence.charAt(0));
  }

  static List<Example> javadocExamples(Path root, Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, UTF_8);
    String name = root.relativize(file).toString().replace(File.separatorChar, '/');
    List<Example> examples = new ArrayList<>();
    // Each line of the file as the javadoc sees it, or null outside a javadoc comment.
    List<String> doc = new ArrayList<>();
    boolean inside = false;
    for (String line : lines) {
      if (!inside && line.strip().startsWith("/**")) {
        String text = line.strip().substring(3);
        inside = !text.contains("*/");
        doc.add(inside ? text : text.substring(0, text.indexOf("*/")));
        continue;
      }
      if (inside) {
        boolean ends = line.strip().endsWith("*/");
        String text = ends ? line.substring(0, line.lastIndexOf("*/")) : line;
        doc.add(text.replaceFirst("^\\s*\\*? ?", ""));
        inside = !ends;
      } else {
        doc.add(null);
      }
    }
    for (int i = 0; i < doc.size(); i++) {
      String line = doc.get(i);
      int pre = line == null ? -1 : line.indexOf("<pre>{@code");
      if (pre < 0) {
        continue;
      }
      List<String> code = new ArrayList<>();
      int first = i + 1;
      String rest = line.substring(pre + "<pre>{@code".length());
      int j = i;
      if (rest.isBlank()) {
        j++;
        rest = j < doc.size() ? doc.get(j) : null;
        first = j + 1;
      }
      while (rest != null && !rest.contains("}</pre>")) {
        code.add(rest);
        j++;
        rest = j < doc.size() ? doc.get(j) : null;
      }
      if (rest == null) {
        fail(name + ":" + (i + 1) + ": the <pre>{@code opened here is never closed by }</pre>");
      }
      code.add(rest.substring(0, rest.indexOf("}</pre>")));
      examples.add(new Example(name + ":" + first, file, first, code, context(doc, i, name)));
      i = j;
    }
    return examples;
  }

  /** The context declared by the {@code example-context} comment just before line {@code at}. */
  private static String context(List<String> lines, int at, String name) {
    int end = at - 1;
    while (end >= 0 && lines.get(end) != null && lines.get(end).isBlank()) {
      end--;
    }
    if (end < 0 || lines.get(end) == null || !lines.get(end).strip().endsWith("-->")) {
      return "";
    }
    int start = end;
    while (start >= 0 && lines.get(start) != null && !lines.get(start).contains("<!--")) {
      start--;
    }
    if (start < 0 || lines.get(start) == null) {
      return "";
    }
    String comment =
        lines.subList(start, end + 1).stream().map(String::strip).collect(Collectors.joining(" "));
    comment = comment.substring(comment.indexOf("<!--"));
    Matcher m = CONTEXT.matcher(comment);
    if (!m.matches()) {
      if (comment.contains("example")) {
        fail(name + ":" + (start + 1) + ": not an example-context comment: " + comment);
      }
      return "";
    }
    return m.group(1).strip();
  }

  /** Compiles examples one at a time, sharing one file manager (its classpath index). */
  static final class Compiler {
    private final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    private final StandardJavaFileManager files;
    private final String importLine;

    Compiler(String importLine) throws IOException {
      this.importLine = importLine;
      files = javac.getStandardFileManager(null, Locale.ROOT, UTF_8);
      List<File> classpath =
          Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
              .filter(s -> !s.isEmpty())
              .map(File::new)
              .toList();
      files.setLocation(StandardLocation.CLASS_PATH, classpath);
      files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(classes.toFile()));
    }

    void check(Example example) {
      Source source = source(example);
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      JavaFileObject unit =
          new SimpleJavaFileObject(
              URI.create("string:///" + source.className() + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
              return source.text();
            }
          };
      List<String> options =
          List.of("--release", "17", "-proc:none", "-Xlint:deprecation,removal", "-g:none");
      javac.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
      List<String> problems = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.NOTE || d.getKind() == Diagnostic.Kind.OTHER) {
          continue;
        }
        long line = d.getLineNumber() - source.offset();
        String where =
            line >= 1 && line <= example.lines().size()
                ? example.path() + ":" + (example.firstLine() + line - 1)
                : "generated line " + d.getLineNumber();
        problems.add(
            "  "
                + where
                + ": "
                + d.getKind().toString().toLowerCase(Locale.ROOT)
                + ": "
                + d.getMessage(Locale.ROOT).replace("\n", "\n      "));
      }
      if (!problems.isEmpty()) {
        String[] generated = source.text().split("\n", -1);
        StringBuilder listing = new StringBuilder();
        for (int i = 0; i < generated.length; i++) {
          // numbered as in the documentation; the default imports shown as one word
          long line = i + 1 - source.offset();
          String number =
              line >= 1 && line <= example.lines().size()
                  ? String.valueOf(example.firstLine() + line - 1)
                  : "";
          String text = generated[i].replace(importLine, "<default imports>");
          listing.append(String.format(Locale.ROOT, "  %5s | %s%n", number, text));
        }
        fail(
            example.location()
                + ": the example does not compile:\n"
                + String.join("\n", problems)
                + "\ncompiled as:\n"
                + listing);
      }
    }

    /**
     * The example as a compilation unit, and how many lines precede its first line there. The
     * imports take one generated line, so diagnostics map back to the documentation's lines.
     */
    Source source(Example example) {
      String code = String.join("\n", example.lines());
      Matcher unit = UNIT.matcher(blankImports(example.lines()));
      if (unit.find()) {
        List<String> lines = new ArrayList<>(example.lines());
        for (int i = 0; i < lines.size(); i++) {
          if (PACKAGE.matcher(lines.get(i)).find()) {
            lines.set(i, lines.get(i) + " " + importLine);
            return new Source(unit.group(1), String.join("\n", lines), 0);
          }
        }
        return new Source(unit.group(1), importLine + "\n" + code, 1);
      }
      StringBuilder header = new StringBuilder(importLine);
      List<String> body = new ArrayList<>();
      boolean leading = true;
      for (String line : example.lines()) {
        if (leading && IMPORT.matcher(line).find()) {
          header.append(' ').append(line.strip());
          body.add("");
        } else {
          leading &= line.isBlank() || line.strip().startsWith("//");
          body.add(line);
        }
      }
      header.append(" class DocExample {");
      for (String declaration : declarations(example.context())) {
        String d = declaration.strip();
        if (d.isEmpty()) {
          continue;
        }
        if (TYPE_DECLARATION.matcher(d).find()) {
          header.append(' ').append(d).append(d.endsWith("}") ? "" : " {}");
        } else if (d.contains("(")) {
          header.append(' ').append(d).append(" { throw new UnsupportedOperationException(); }");
        } else {
          header.append(' ').append(d).append(';');
        }
      }
      header.append(" void example() throws Exception {");
      return new Source("DocExample", header + "\n" + String.join("\n", body) + "\n}}\n", 1);
    }

    /** The context's declarations: split at each {@code ;} outside braces and parentheses. */
    private static List<String> declarations(String context) {
      List<String> declarations = new ArrayList<>();
      int depth = 0;
      int start = 0;
      for (int i = 0; i < context.length(); i++) {
        char c = context.charAt(i);
        depth += c == '{' || c == '(' ? 1 : c == '}' || c == ')' ? -1 : 0;
        if (c == ';' && depth == 0) {
          declarations.add(context.substring(start, i));
          start = i + 1;
        }
      }
      declarations.add(context.substring(start));
      return declarations;
    }

    /** The lines with leading imports blanked, so a unit is recognised after its imports. */
    private static String blankImports(List<String> lines) {
      return lines.stream()
          .map(l -> IMPORT.matcher(l).find() ? "" : l)
          .collect(Collectors.joining("\n"));
    }
  }

  /** A generated compilation unit: its public class, its text, and the lines before the example. */
  record Source(String className, String text, int offset) {}

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("README.md"))
          && Files.isDirectory(d.resolve("pipekeeper-core"))) {
        return d;
      }
    }
    throw new UncheckedIOException(new IOException("no repository root above " + dir));
  }
}
