package dev.pipekeeper.console;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operators the console knows, read from a file of lines {@code NAME=TOKEN} or {@code
 * NAME:ROLE=TOKEN} (blank lines and lines starting with {@code #} are skipped). {@code ROLE} is
 * {@code writer} (may change the cluster; the role of a line without one) or {@code reader} (known,
 * but every change it asks for is refused). A request names its operator by {@code Authorization:
 * Bearer TOKEN}; the operator's name is what the change is recorded under.
 *
 * <p>Tokens are kept as SHA-256 digests and a presented token is compared with every one in
 * constant time ({@link MessageDigest#isEqual}), so neither the time an answer takes nor its length
 * tells how much of a token was right. A token is never part of a message or a log line. Immutable
 * and thread-safe.
 */
final class OperatorTokens {
  /** Shorter tokens are refused: they could be guessed. */
  static final int MIN_TOKEN_LENGTH = 16;

  /** What an operator may do through the console. */
  enum Role {
    /** May change the cluster (config set, apply, rollback). */
    WRITER,
    /** Known by name, changes nothing: every write it asks for is refused. */
    READER;

    /** How the file names it: {@code writer}, {@code reader}. */
    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Optional<Role> of(String label) {
      for (Role role : values()) {
        if (role.label().equals(label)) {
          return Optional.of(role);
        }
      }
      return Optional.empty();
    }
  }

  /** A known operator: name and role (the token is not kept). */
  record Known(String name, Role role) {}

  private record Operator(String name, Role role, byte[] digest) {}

  private final List<Operator> operators;

  private OperatorTokens(List<Operator> operators) {
    this.operators = List.copyOf(operators);
  }

  /** No operators: the console is read-only. */
  static OperatorTokens none() {
    return new OperatorTokens(List.of());
  }

  /**
   * The operators in {@code file}.
   *
   * @throws InvalidInputException if it cannot be read, a line is not {@code NAME=TOKEN} or {@code
   *     NAME:ROLE=TOKEN}, a role is not {@code writer} or {@code reader}, a name is malformed or
   *     given twice, a token is shorter than {@value #MIN_TOKEN_LENGTH} characters or given twice,
   *     or it names no operator; the message gives the line number, never the token
   */
  static OperatorTokens load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("cannot read the operator tokens " + file + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read the operator tokens " + file + ": " + e.getClass().getSimpleName());
    }
    List<Operator> operators = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> digests = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "operator tokens " + file + " line " + (i + 1);
      int equals = line.indexOf('=');
      if (equals <= 0) {
        throw new InvalidInputException(where + " is not NAME=TOKEN or NAME:ROLE=TOKEN");
      }
      // A name has no colon (Names), a token may: the role is before the first '='.
      String who = line.substring(0, equals).strip();
      String token = line.substring(equals + 1).strip();
      int colon = who.indexOf(':');
      String name = colon < 0 ? who : who.substring(0, colon).strip();
      Role role = Role.WRITER;
      if (colon >= 0) {
        String label = who.substring(colon + 1).strip();
        role =
            Role.of(label)
                .orElseThrow(
                    () ->
                        new InvalidInputException(
                            where + ": the role '" + label + "' is not writer or reader"));
      }
      try {
        Names.check("operator", name);
      } catch (InvalidInputException malformed) {
        throw new InvalidInputException(where + ": " + malformed.getMessage());
      }
      if (token.length() < MIN_TOKEN_LENGTH) {
        throw new InvalidInputException(
            where + ": the token is shorter than " + MIN_TOKEN_LENGTH + " characters");
      }
      if (!names.add(name)) {
        throw new InvalidInputException(where + ": operator " + name + " is named twice");
      }
      byte[] digest = digest(token);
      if (!digests.add(HexFormat.of().formatHex(digest))) {
        throw new InvalidInputException(where + ": the token is another operator's too");
      }
      operators.add(new Operator(name, role, digest));
    }
    if (operators.isEmpty()) {
      throw new InvalidInputException("operator tokens " + file + " names no operator");
    }
    return new OperatorTokens(operators);
  }

  /** Whether any operator has the writer role; if not, the console is read-only. */
  boolean writable() {
    return operators.stream().anyMatch(o -> o.role() == Role.WRITER);
  }

  /** How many operators there are. */
  int size() {
    return operators.size();
  }

  /** The operator whose token {@code token} is, compared in constant time with every one. */
  Optional<Known> operator(String token) {
    byte[] presented = digest(token);
    Known found = null;
    for (Operator operator : operators) {
      // Every digest is compared, so the time taken does not tell which one matched.
      if (MessageDigest.isEqual(presented, operator.digest()) && found == null) {
        found = new Known(operator.name(), operator.role());
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return operators.size() + " operator tokens";
  }
}
