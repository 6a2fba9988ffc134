package dev.pipekeeper.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.console.OperatorTokens.Known;
import dev.pipekeeper.console.OperatorTokens.Role;
import dev.pipekeeper.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator tokens file: a role per token, the old format still a writer's. */
class OperatorTokensTest {
  private static final String ALICE = "alice-token-0123456789";
  private static final String CAROL = "carol:token=with:colons";

  @Test
  void aLineNamesItsRoleAndWithoutOneItIsAWriter(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("operators");
    Files.writeString(
        file,
        "# NAME=TOKEN or NAME:ROLE=TOKEN\n"
            + "alice="
            + ALICE
            + "\n"
            + "bob:writer=bob-token-0123456789\n"
            + "carol : reader = "
            + CAROL
            + "\n");
    OperatorTokens tokens = OperatorTokens.load(file);
    assertThat(tokens.size()).isEqualTo(3);
    assertThat(tokens.writable()).isTrue();
    assertThat(tokens.operator(ALICE)).contains(new Known("alice", Role.WRITER));
    assertThat(tokens.operator("bob-token-0123456789")).contains(new Known("bob", Role.WRITER));
    // the role is before the first '=': a token may hold colons and equals signs
    assertThat(tokens.operator(CAROL)).contains(new Known("carol", Role.READER));
    assertThat(tokens.operator("carol")).isEmpty();
  }

  @Test
  void onlyReadersMakeAReadOnlyConsole(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("operators");
    Files.writeString(file, "carol:reader=" + CAROL + "\n");
    assertThat(OperatorTokens.load(file).writable()).isFalse();
    assertThat(OperatorTokens.none().writable()).isFalse();
  }

  @Test
  void anUnknownRoleIsRefusedWithItsLineAndWithoutTheToken(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("operators");
    Files.writeString(file, "alice=" + ALICE + "\ndave:admin=dave-token-0123456789\n");
    assertThatThrownBy(() -> OperatorTokens.load(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("'admin' is not writer or reader")
        .hasMessageNotContaining("dave-token");
    Files.writeString(file, "bad name:reader=" + CAROL + "\n");
    assertThatThrownBy(() -> OperatorTokens.load(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("line 1")
        .hasMessageNotContaining(CAROL);
  }
}
