package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.Fuzz;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.ZooKeeperTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at scale for the command line: seeded random argument vectors, run in-process against a
 * real ZooKeeper. Command templates (config, schemas, units, drains, members, leaders, locks,
 * assignments, health, alerts, kafka-acls) get hostile names, keys, scopes, JSON values, numbers,
 * durations, files (random bytes, broken JSON and YAML, YAML aliases, near 1 MiB, folders, missing
 * paths) and stray options. Every run exits 0, 1 or 2 (never 70, the bug code), never prints a
 * stack trace, says why on standard error when it fails, and a run that does not exit 0 writes
 * nothing to ZooKeeper. A run whose input is certainly wrong (a name the name rule refuses) never
 * exits 0. {@code -Dfuzz.seed=N} replays, {@code -Dfuzz.runs=N} makes it longer.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class CliFuzzIT {
  static final List<String> KEYS = List.of("batch.size", "mode", "k", "limits");
  static final List<String> OPTIONS =
      List.of(
          "--json",
          "--scope",
          "--expect-version",
          "--comment",
          "--who",
          "--if-absent",
          "--limit",
          "--state",
          "--history",
          "--weight",
          "--member",
          "--tag",
          "--force",
          "--to",
          "-f",
          "--connect-timeout",
          "--help",
          "--no-such-option",
          "-",
          "--");

  @Test
  void randomCommandLinesFailCleanlyAndWriteNothing(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    Fuzz fuzz = Fuzz.start("cli", 250);
    List<String> files = files(fuzz, dir);
    // a cluster that exists, with a key, a unit and a schema, so that commands find something
    assertThat(CliRun.against(cluster, "config", "set", "k", "1").exitCode).isZero();
    assertThat(CliRun.against(cluster, "units", "add", "g", "u1").exitCode).isZero();
    String root = "/pipekeeper/" + cluster.cluster();
    int[] exits = new int[3];
    try (ZooKeeperTree tree = ZooKeeperTree.connect(cluster.zkConnect())) {
      fuzz.run(
          run -> {
            Line line = line(fuzz, files);
            List<String> args = new ArrayList<>(line.args);
            args.addAll(List.of("--zk", cluster.zkConnect(), "--cluster", cluster.cluster()));
            args.addAll(List.of("--connect-timeout", "5s"));
            Map<String, String> before = tree.snapshot(root);
            CliRun cli = new CliRun(Map.of(), fuzz.chance(10) ? fuzz.json() : "");
            cli.execute(args.toArray(String[]::new));
            String what = "pipekeeper " + printable(line.args);
            assertThat(cli.exitCode).as("%s: exit code; stderr %s", what, cli.err()).isIn(0, 1, 2);
            exits[cli.exitCode]++;
            assertThat(cli.err())
                .as("%s: no stack trace", what)
                .doesNotContain("\tat ", "Exception in thread", "Caused by:");
            if (cli.exitCode != 0) {
              assertThat(cli.err()).as("%s: says why", what).isNotBlank();
              assertThat(ZooKeeperTree.diff(before, tree.snapshot(root)))
                  .as("%s: exit %d wrote nothing (%s)", what, cli.exitCode, cli.err())
                  .isEmpty();
            }
            if (line.certainlyWrong) {
              assertThat(cli.exitCode).as("%s: garbage never exits 0", what).isNotZero();
            }
          });
    }
    System.out.printf("fuzz cli: exit 0 %d, exit 1 %d, exit 2 %d%n", exits[0], exits[1], exits[2]);
  }

  /** An argument vector, and whether it is certainly wrong (so must not exit 0). */
  record Line(List<String> args, boolean certainlyWrong) {}

  private static Line line(Fuzz fuzz, List<String> files) {
    List<String> args = new ArrayList<>();
    boolean[] wrong = {false};
    // a name slot: a good name, or one the name rule refuses (then the line is certainly wrong)
    java.util.function.Supplier<String> name =
        () -> {
          if (fuzz.chance(50)) {
            return fuzz.pick("g", "p", "m1", "u1", "r");
          }
          String hostile = fuzz.pick("a/b", "", ".x", "a b", "x".repeat(201), "é", "a\nb");
          if (fuzz.chance(50)) {
            wrong[0] = true;
            return hostile;
          }
          return fuzz.name();
        };
    java.util.function.Supplier<String> key =
        () -> fuzz.chance(50) ? fuzz.pick(KEYS) : fuzz.mutate(fuzz.pick(KEYS));
    switch (fuzz.random().nextInt(14)) {
      case 0 -> args.addAll(List.of("config", "get", key.get()));
      case 1 -> args.addAll(List.of("config", "set", key.get(), value(fuzz)));
      case 2 -> args.addAll(List.of("config", "delete", key.get()));
      case 3 -> args.addAll(List.of("config", "apply", "-f", fuzz.pick(files)));
      case 4 ->
          args.addAll(
              List.of(
                  "config",
                  fuzz.pick("history", "rollback", "diff"),
                  key.get(),
                  number(fuzz),
                  number(fuzz)));
      case 5 ->
          args.addAll(
              List.of(
                  "config",
                  "schema",
                  fuzz.pick("set", "get", "delete"),
                  key.get(),
                  fuzz.pick(files)));
      case 6 ->
          args.addAll(List.of("config", fuzz.pick("list", "applied"), "--scope", scope(fuzz)));
      case 7 -> args.addAll(List.of(fuzz.pick("drain", "undrain"), name.get(), name.get()));
      case 8 ->
          args.addAll(
              List.of("units", fuzz.pick("add", "remove", "pin", "unpin"), name.get(), name.get()));
      case 9 -> args.addAll(List.of(fuzz.pick("members", "assignments", "health"), name.get()));
      case 10 -> args.addAll(List.of("leaders", "retire", name.get()));
      case 11 -> args.addAll(List.of(fuzz.pick("locks", "leaders", "alerts", "acl")));
      case 12 -> args.addAll(List.of("kafka-acls", name.get(), "--principal", fuzz.string(12)));
      default -> args.add(fuzz.string(10));
    }
    for (int i = fuzz.random().nextInt(4); i > 0; i--) {
      String option = fuzz.pick(OPTIONS);
      args.add(option);
      if (fuzz.chance(70)) {
        args.add(
            switch (option) {
              case "--scope" -> scope(fuzz);
              case "--expect-version", "--limit", "--weight", "--to" -> number(fuzz);
              case "--connect-timeout" -> fuzz.pick("0s", "-1s", "1x", "100ms", "99999h");
              case "-f" -> fuzz.pick(files);
              default -> fuzz.chance(50) ? fuzz.string(16) : fuzz.json();
            });
      }
    }
    if (fuzz.chance(10)) {
      // a stray argument at a random place
      args.add(fuzz.random().nextInt(args.size() + 1), fuzz.string(8));
    }
    // asking for help is never wrong, whatever else the line holds
    return new Line(args, wrong[0] && !args.contains("--help"));
  }

  private static String value(Fuzz fuzz) {
    return fuzz.chance(30) ? fuzz.jsonValue(2) : fuzz.json();
  }

  private static String number(Fuzz fuzz) {
    return fuzz.pick("0", "1", "-1", "2147483648", "1.5", "1e3", "x", "", "-0", "007");
  }

  private static String scope(Fuzz fuzz) {
    return fuzz.chance(50)
        ? fuzz.pick("global", "pipeline/p", "member/m1")
        : fuzz.mutate(fuzz.pick("global", "pipeline/p", "member/m1"));
  }

  /** Hostile files: random bytes, broken JSON and YAML, aliases, near 1 MiB, a folder, none. */
  private static List<String> files(Fuzz fuzz, Path dir) throws Exception {
    List<String> files = new ArrayList<>();
    String[] texts = {
      fuzz.json(),
      fuzz.jsonValue(3),
      "{\"k\": 2, \"mode\": \"fast\"}",
      "{\"k\": 1, \"k\": 2}",
      "a: &x [1]\nb: *x\n",
      "k: !!java.lang.Runtime {}\n",
      "---\nk: 1\n---\nk: 2\n",
      "k:\n  - [\n",
      "{\"type\": \"integer\", \"pattern\": \"[\"}",
      "{\"type\": \"nonsense\"}",
      "\ufeff{\"k\": 3}",
      ""
    };
    for (int i = 0; i < texts.length; i++) {
      Path file = dir.resolve("f" + i + (i % 2 == 0 ? ".json" : ".yaml"));
      Files.write(file, texts[i].getBytes(StandardCharsets.UTF_8));
      files.add(file.toString());
    }
    Path bytes = dir.resolve("bytes.json");
    Files.write(bytes, fuzz.bytes(256));
    files.add(bytes.toString());
    Path huge = dir.resolve("huge.json");
    Files.write(huge, fuzz.huge());
    files.add(huge.toString());
    files.add(dir.toString());
    files.add(dir.resolve("missing.json").toString());
    files.add("-");
    files.add("/dev/zero");
    return files;
  }

  private static String printable(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String arg : args) {
      out.add(Fuzz.quote(arg.length() > 60 ? arg.substring(0, 60) + "..." : arg));
    }
    return String.join(" ", out);
  }
}
