package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
}
