package dev.pipekeeper.core.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** The decoding a configuration and its views share: one answer for the same stored bytes. */
class ConfigReaderTest {
  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storedBytesDecodeToAValueOrSayWhyNotWithoutQuotingThem() {
    assertThat(ConfigReader.decode(bytes("42")))
        .isEqualTo(new ConfigReader.Decoded(IntNode.valueOf(42), null));
    assertThat(ConfigReader.decode(bytes("{not json")))
        .isEqualTo(new ConfigReader.Decoded(null, "is not valid JSON"));
    assertThat(ConfigReader.decode(new byte[0]))
        .isEqualTo(new ConfigReader.Decoded(null, "is empty"));
    assertThat(ConfigReader.decode(null)).isEqualTo(new ConfigReader.Decoded(null, "is empty"));
    assertThat(ConfigReader.decode(bytes("  ")))
        .isEqualTo(new ConfigReader.Decoded(null, "is empty"));

    assertThat(ConfigReader.readable(bytes("\"s\""))).contains(TextNode.valueOf("s"));
    assertThat(ConfigReader.readable(bytes("{not json"))).isEmpty();
    assertThat(ConfigReader.readable(null)).isEmpty();
    assertThat(ConfigReader.unreadable(new byte[0])).isEqualTo("an empty value");
    assertThat(ConfigReader.unreadable(bytes("{not json")))
        .isEqualTo("a value that is not valid JSON");
    assertThat(ConfigReader.parseOrRaw(bytes("{not json")))
        .isEqualTo(TextNode.valueOf("{not json"));
  }

  @Test
  void aSchemaThatIsNotJsonChecksNothing() {
    Scope global = Scope.global();
    assertThat(ConfigReader.decodeSchema(global, "k", bytes("{\"type\":\"integer\"}"))).isPresent();
    assertThat(ConfigReader.decodeSchema(global, "k", bytes("{not json"))).isEmpty();
  }

  @Test
  void aScopesFolderListsKeysSortedWithoutItsCommitNode() {
    assertThat(ConfigReader.keyNames(List.of("zeta", ZkLayout.COMMIT, "alpha.beta", "bad key")))
        .containsExactly("alpha.beta", "bad key", "zeta");
    assertThat(ConfigReader.isKeyName("alpha.beta")).isTrue();
    assertThat(ConfigReader.isKeyName("bad key")).isFalse();
  }

  @Test
  void aScopesVersionCountsTheChangesOfItsCommitNode() {
    assertThat(ConfigReader.scopeVersion(null)).isZero();
    Stat stat = new Stat();
    stat.setVersion(4);
    assertThat(ConfigReader.scopeVersion(stat)).isEqualTo(5);
    assertThat(ConfigReader.statOf(new OpResult.GetDataResult(new byte[0], stat))).isSameAs(stat);
    assertThat(ConfigReader.statOf(new OpResult.ErrorResult(-101))).isNull();
    assertThat(ConfigReader.childrenOf(new OpResult.GetChildrenResult(List.of("a"))))
        .containsExactly("a");
    assertThat(ConfigReader.childrenOf(new OpResult.ErrorResult(-101))).isEmpty();
  }
}
