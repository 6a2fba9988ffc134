package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.security.ZooKeeperSecurity;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Test;

/** What {@link PipekeeperBuilder#build()} refuses before it connects, and how it says so. */
class PipekeeperBuilderTest {
  @Test
  void aConnectStringIsRequired() {
    assertThatThrownBy(() -> Pipekeeper.builder().build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("the ZooKeeper connect string is required");
  }

  @Test
  void timeoutsThatAreNotPositiveAreRefusedInTheCliDurationForm() {
    assertThatThrownBy(
            () ->
                Pipekeeper.builder().zookeeper("127.0.0.1:1").sessionTimeout(Duration.ZERO).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("session timeout must be positive, not 0s");
    assertThatThrownBy(
            () ->
                Pipekeeper.builder()
                    .zookeeper("127.0.0.1:1")
                    .connectionTimeout(Duration.ofMillis(-1500))
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("connection timeout must be positive, not -1500ms");
  }

  @Test
  void aClusterNameThatCannotBeAPathElementIsRefused() {
    assertThatThrownBy(() -> Pipekeeper.builder().zookeeper("127.0.0.1:1").cluster("a/b").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cluster name 'a/b' is not valid");
  }

  @Test
  void securityAndAPassedThroughClientConfigAreExclusive() {
    ZooKeeperSecurity security =
        ZooKeeperSecurity.builder().sasl("writer", Path.of("writer.password")).build();
    assertThatThrownBy(
            () ->
                Pipekeeper.builder()
                    .zookeeper("127.0.0.1:1")
                    .security(security)
                    .clientConfig(new ZKClientConfig())
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "give either security(ZooKeeperSecurity) or clientConfig(ZKClientConfig), not both");
  }

  @Test
  void securityShowsNoSecretAndAKeystoreNeedsTls() {
    assertThat(
            ZooKeeperSecurity.builder()
                .truststore(Path.of("t.p12"), Path.of("t.password"))
                .sasl("writer", Path.of("writer.password"))
                .build())
        .hasToString("ZooKeeperSecurity[TLS truststore t.p12, SASL as writer]");
    assertThatThrownBy(() -> ZooKeeperSecurity.builder().keystore(Path.of("k.p12"), null).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a keystore needs TLS on: give a truststore too");
  }
}
