package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.LiveValue;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.RecordingSink;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A value a member's binding cannot convert fires config-drift like an invalid stored value. */
@ExtendWith(EmbeddedClusterExtension.class)
class BindingDriftIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aValueABindingCannotConvertFiresConfigDriftAndAConvertibleOneResolvesIt(TestCluster cluster)
      throws Exception {
    RecordingSink sink = new RecordingSink("test");
    try (Pipekeeper pk = Clients.connect(cluster, "monitor");
        Pipekeeper member = Clients.connect(cluster, "w1")) {
      MonitorIT.setRules(
          pk, "[{\"name\": \"drift\", \"kind\": \"config-drift\", \"for\": \"500ms\"}]");
      Scope scope = Scope.pipeline("copier");
      pk.config().set(scope, "copier.threshold", JSON.readTree("1.5"), ChangeOptions.by("test"));
      member.membership().join("copier", MemberInfo.defaults());
      try (ConfigView view = member.config().view("copier", "w1");
          Monitor monitor = MonitorIT.monitor(pk, sink)) {
        LiveValue<Double> threshold = view.bind("copier.threshold", Double.class, 2.5);
        await().atMost(BOUND).until(monitor::isLeading);
        MonitorIT.evaluations(monitor, 2);
        assertThat(monitor.alerts()).isEmpty();
        pk.config()
            .set(scope, "copier.threshold", JSON.readTree("\"abc\""), ChangeOptions.by("test"));
        String key = "drift/w1/last-known-good";
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.FIRING));
        assertThat(threshold.get()).isEqualTo(1.5);
        assertThat(MonitorIT.alert(monitor, key).summary())
            .contains("pipeline/copier copier.threshold");
        pk.config().set(scope, "copier.threshold", JSON.readTree("2"), ChangeOptions.by("test"));
        await().atMost(BOUND).until(() -> sink.states(key).contains(AlertState.RESOLVED));
        assertThat(threshold.get()).isEqualTo(2.0);
        assertThat(sink.states(key)).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
      }
    }
  }
}
