package dev.pipekeeper.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class ConfigAddressTest {
  @Test
  void keysOfEveryScopeKindParseAndBuildBack() {
    for (String path :
        new String[] {
          "/pipekeeper/pay/config/global/alert.threshold",
          "/pipekeeper/pay/config/pipeline/enricher/rate",
          "/pipekeeper/pay/config/member/m-1/rate"
        }) {
      ConfigAddress address = ConfigAddress.parse(path);
      assertThat(address.cluster()).isEqualTo("pay");
      assertThat(address.path()).isEqualTo(path);
    }
    assertThat(ConfigAddress.parse("/pipekeeper/pay/config/pipeline/enricher/rate").scope())
        .isEqualTo(Scope.pipeline("enricher"));
    assertThat(ConfigAddress.root("pay")).isEqualTo("/pipekeeper/pay/config");
  }

  @Test
  void pathsThatAreNoKeyAreRefusedWithTheReason() {
    assertThatThrownBy(() -> ConfigAddress.parse("/app/x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not in a configuration tree");
    assertThatThrownBy(() -> ConfigAddress.parse("/pipekeeper/pay/config/global"))
        .hasMessageContaining("not a configuration key");
    assertThatThrownBy(() -> ConfigAddress.parse("/pipekeeper/pay/config/global/_commit"))
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> ConfigAddress.parse("/pipekeeper/pay/config/tenant/t/k"))
        .hasMessageContaining("not valid");
    assertThatThrownBy(() -> ConfigAddress.parse("/pipekeeper/pay/config/global/a/b"))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void theClusterOfAConfigurationTreeAndPipekeepersOwnTree() {
    assertThat(ConfigAddress.clusterOf("/pipekeeper/pay/config")).contains("pay");
    assertThat(ConfigAddress.clusterOf("/pipekeeper/pay/config/pipeline/p")).contains("pay");
    assertThat(ConfigAddress.clusterOf("/pipekeeper/pay/members")).isEmpty();
    assertThat(ConfigAddress.clusterOf("/pipekeeper-connect/x/config")).isEmpty();
    assertThat(ConfigAddress.inPipekeepersTree("/pipekeeper/pay/members")).isTrue();
    assertThat(ConfigAddress.inPipekeepersTree("/pipekeeper")).isTrue();
    assertThat(ConfigAddress.inPipekeepersTree("/pipekeeper-connect")).isFalse();
    assertThat(ConfigAddress.inPipekeepersTree("/")).isFalse();
  }
}
