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
 * The operators who may change the cluster through the console, read from a file of lines {@code
 * NAME=TOKEN} (blank lines and lines starting with {@code #} are skipped). A request names its
 * operator by {@code Authorization: Bearer TOKEN}; the operator's name is what the change is
 * recorded under.
 *
 * <p>Tokens are kept as SHA-256 digests and a presented token is compared with every one in
 * constant time ({@link MessageDigest#isEqual}), so neither the time an answer takes nor its length
 * tells how much of a token was right. A token is never part of a message or a log line. Immutable
 * and thread-safe.
 */
final class OperatorTokens {
  /** Shorter tokens are refused: they could be guessed. */
  static final int MIN_TOKEN_LENGTH = 16;

  private record Operator(String name, byte[] digest) {}

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
   * @throws InvalidInputException if it cannot be read, a line is not {@code NAME=TOKEN}, a name is
   *     malformed or given twice, a token is shorter than {@value #MIN_TOKEN_LENGTH} characters or
   *     given twice, or it names no operator; the message gives the line number, never the token
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
        throw new InvalidInputException(where + " is not NAME=TOKEN");
      }
      String name = line.substring(0, equals).strip();
      String token = line.substring(equals + 1).strip();
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
      operators.add(new Operator(name, digest));
    }
    if (operators.isEmpty()) {
      throw new InvalidInputException("operator tokens " + file + " names no operator");
    }
    return new OperatorTokens(operators);
  }

  /** Whether any operator may write; if not, the console is read-only. */
  boolean writable() {
    return !operators.isEmpty();
  }

  /** How many operators there are. */
  int size() {
    return operators.size();
  }

  /** The operator whose token {@code token} is, compared in constant time with every one. */
  Optional<String> operator(String token) {
    byte[] presented = digest(token);
    String found = null;
    for (Operator operator : operators) {
      // Every digest is compared, so the time taken does not tell which one matched.
      if (MessageDigest.isEqual(presented, operator.digest()) && found == null) {
        found = operator.name();
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
