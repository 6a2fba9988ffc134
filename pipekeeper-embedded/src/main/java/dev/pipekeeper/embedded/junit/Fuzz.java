package dev.pipekeeper.embedded.junit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random hostile input for tests of parsers and entry points: strings, names, JSON, bytes
 * and huge values. One seed drives a whole test, so a failure replays exactly.
 *
 * <p>The seed is chosen by {@link Seeds} from the system property {@code fuzz.seed}: a number
 * replays, {@code random} draws one, and without it the seed is fixed by the test's name. The
 * number of runs is {@code fuzz.runs} when given, else the test's own CI-sized default. {@link
 * #start} prints both; {@link #run} names the seed, the run and the replay command in every
 * failure:
 * <!-- example-context: void assertRefused(String json) -->
 *
 * <pre>{@code
 * Fuzz fuzz = Fuzz.start("config values", 200);
 * fuzz.run(run -> assertRefused(fuzz.json()));
 * }</pre>
 *
 * <p>Not thread-safe: one {@code Fuzz} per test thread.
 */
public final class Fuzz {
  /** A near-miss of what a ZooKeeper node may hold (jute.maxbuffer is 1 MiB by default). */
  public static final int NEAR_ONE_MIB = 1024 * 1024 - 4096;

  private static final String[] NASTY = {
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\u0000",
    "\u0007",
    "\u001b[31m",
    "\u00e9",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\ud83d\ude00",
    "\ud800",
    "\udfff",
    "/",
    "//",
    ".",
    "..",
    "../",
    "/..",
    "\\",
    "%s",
    "%n",
    "${jndi:ldap://x}",
    "'",
    "\"",
    "`",
    "$(id)",
    ";",
    "|",
    "&",
    "*",
    "?",
    "#",
    "=",
    ",",
    ":",
    "@",
    "-",
    "--",
    "_",
    "zookeeper",
    "null",
    "true",
    "0",
    "-1",
    "NaN",
    "Infinity",
    "1e400",
    "9223372036854775808",
    "{",
    "}",
    "[",
    "]",
    "<script>",
    "a",
    "Z9",
    "ok.key",
    "_commit"
  };

  private final String what;
  private final long seed;
  private final int runs;
  private final Random random;

  private Fuzz(String what, long seed, int runs) {
    this.what = what;
    this.seed = seed;
    this.runs = runs;
    this.random = new Random(seed);
  }

  /**
   * Starts a seeded test and prints its seed and runs to standard output.
   *
   * @param what what is fuzzed, for the messages
   * @param defaultRuns the runs when {@code fuzz.runs} is not given (keep it CI-sized)
   */
  public static Fuzz start(String what, int defaultRuns) {
    long seed = Seeds.seed("fuzz.seed", "fuzz " + what);
    int runs = Integer.getInteger("fuzz.runs", defaultRuns);
    Fuzz fuzz = new Fuzz(what, seed, Math.max(1, runs));
    System.out.println("fuzz " + what + ": " + fuzz.runs + " runs (" + fuzz.replay() + ")");
    return fuzz;
  }

  /**
   * A test fixed to {@code seed} and {@code runs}, whatever the system properties say: a seed that
   * once found a bug, kept as its regression test.
   */
  public static Fuzz replay(String what, long seed, int runs) {
    Fuzz fuzz = new Fuzz(what, seed, Math.max(1, runs));
    System.out.println("fuzz " + what + ": replaying seed " + seed + ", " + fuzz.runs + " runs");
    return fuzz;
  }

  /** The seed of this test. */
  public long seed() {
    return seed;
  }

  /** The number of runs of this test. */
  public int runs() {
    return runs;
  }

  /** The random source every generator draws from; draw from it to stay replayable. */
  public Random random() {
    return random;
  }

  /** The system properties that replay this test. */
  public String replay() {
    return "-Dfuzz.seed=" + seed + " -Dfuzz.runs=" + runs;
  }

  /** One run of a fuzz test. */
  @FunctionalInterface
  public interface Run {
    void run(int index) throws Exception;
  }

  /**
   * Calls {@code body} {@link #runs()} times; a failure (an assertion or any exception) is rethrown
   * as an {@link AssertionError} naming the test, the seed, the run and the replay command.
   */
  public void run(Run body) {
    for (int i = 0; i < runs; i++) {
      try {
        body.run(i);
      } catch (Throwable e) {
        throw failure(i, e);
      }
    }
  }

  /** An error naming the seed and run, for failures found outside {@link #run}. */
  public AssertionError failure(int index, Throwable cause) {
    return new AssertionError(
        "fuzz "
            + what
            + ": seed "
            + seed
            + ", run "
            + index
            + " of "
            + runs
            + " failed (replay with "
            + replay()
            + "): "
            + cause,
        cause);
  }

  /** One of {@code choices}. */
  @SafeVarargs
  public final <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** One of {@code choices}. */
  public <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** True with the chance {@code percent} in 100. */
  public boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  /**
   * A hostile string of up to about {@code maxLength} characters: control characters, lone
   * surrogates, path and shell syntax, format specifiers, JSON fragments, or plain letters.
   */
  public String string(int maxLength) {
    StringBuilder out = new StringBuilder();
    int target = random.nextInt(Math.max(1, maxLength) + 1);
    while (out.length() < target) {
      switch (random.nextInt(4)) {
        case 0 -> out.append(pick(NASTY));
        case 1 -> out.append((char) random.nextInt(0x80));
        case 2 -> out.append((char) random.nextInt(0x10000));
        default -> out.append((char) ('a' + random.nextInt(26)));
      }
    }
    return out.length() > maxLength && maxLength >= 0
        ? out.substring(0, maxLength)
        : out.toString();
  }

  /**
   * {@code valid} with a few random edits (a character replaced, inserted or removed, the text cut,
   * doubled or padded), or unchanged now and then, so inputs stay near the valid ones.
   */
  public String mutate(String valid) {
    StringBuilder out = new StringBuilder(valid);
    int edits = random.nextInt(4);
    for (int n = 0; n < edits; n++) {
      int at = out.length() == 0 ? 0 : random.nextInt(out.length() + 1);
      switch (random.nextInt(6)) {
        case 0 -> out.insert(at, pick(NASTY));
        case 1 -> {
          if (at < out.length()) {
            out.deleteCharAt(at);
          }
        }
        case 2 -> {
          if (at < out.length()) {
            out.setCharAt(at, (char) random.nextInt(0x80));
          }
        }
        case 3 -> out.setLength(at);
        case 4 -> out.append(out.length() < 10_000 ? out.toString() : "");
        default -> out.insert(at, " ");
      }
    }
    return out.toString();
  }

  /**
   * A name for something that becomes a path element (a group, member, role, lock, pipeline,
   * cluster): valid ones, names at and past the length limit, and near-misses of valid ones.
   */
  public String name() {
    return switch (random.nextInt(7)) {
      case 0 -> "n" + random.nextInt(1000);
      case 1 -> "a".repeat(pick(199, 200, 201, 1000));
      case 2 -> pick(NASTY);
      case 3 -> string(12);
      default -> mutate(pick("g", "group-1", "member.a", "pay_2", "A-Z.9", "x"));
    };
  }

  /**
   * JSON text, often not valid: random values of every type (deep, wide, huge numbers, long
   * strings, duplicate keys), truncated, mutated, or not JSON at all.
   */
  public String json() {
    return switch (random.nextInt(8)) {
      case 0 -> {
        String valid = jsonValue(random.nextInt(4));
        yield valid.substring(0, random.nextInt(valid.length() + 1));
      }
      case 1 -> mutate(jsonValue(random.nextInt(3)));
      case 2 -> "[".repeat(pick(100, 1000, 5000)) + "]".repeat(random.nextInt(3));
      case 3 -> "{\"a\":1,\"a\":" + jsonValue(1) + "}";
      case 4 -> string(40);
      default -> jsonValue(random.nextInt(5));
    };
  }

  /** A valid JSON value of random type and shape, nested up to {@code depth}. */
  public String jsonValue(int depth) {
    int kind = depth <= 0 ? random.nextInt(5) : random.nextInt(7);
    return switch (kind) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 ->
          pick(
              "0",
              "-0",
              "1",
              "-1",
              String.valueOf(random.nextLong()),
              String.valueOf(random.nextDouble()),
              "1e308",
              "-1e308",
              "1e-400",
              "123456789012345678901234567890",
              "1.0E+2");
      case 3 -> quote(string(30));
      case 4 -> quote("x".repeat(pick(0, 1, 1000, 100_000)));
      case 5 -> {
        List<String> items = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
          items.add(jsonValue(depth - 1));
        }
        yield "[" + String.join(",", items) + "]";
      }
      default -> {
        List<String> fields = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
          fields.add(quote(random.nextBoolean() ? name() : string(8)) + ":" + jsonValue(depth - 1));
        }
        yield "{" + String.join(",", fields) + "}";
      }
    };
  }

  /**
   * {@code text} as a JSON string literal, every character that needs it escaped; a lone surrogate
   * becomes U+FFFD (JSON parsers refuse it in field names, and UTF-8 cannot carry it).
   */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append('\ufffd');
      } else if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** Random bytes, up to {@code maxLength}: often invalid UTF-8. */
  public byte[] bytes(int maxLength) {
    byte[] bytes = new byte[random.nextInt(Math.max(0, maxLength) + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  /**
   * What a node written behind the application's back might hold: nothing, random bytes, hostile
   * JSON, a valid JSON value of the wrong type, or (now and then) a value near one MiB.
   */
  public byte[] nodeData() {
    return switch (random.nextInt(8)) {
      case 0 -> new byte[0];
      case 1 -> bytes(64);
      case 2 -> huge();
      case 3 -> jsonValue(2).getBytes(StandardCharsets.UTF_8);
      default -> json().getBytes(StandardCharsets.UTF_8);
    };
  }

  /** A JSON string of about {@link #NEAR_ONE_MIB} bytes, or that many random bytes. */
  public byte[] huge() {
    if (random.nextBoolean()) {
      byte[] bytes = new byte[NEAR_ONE_MIB];
      random.nextBytes(bytes);
      return bytes;
    }
    return ("{\"member\":\"" + "x".repeat(NEAR_ONE_MIB - 20) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
