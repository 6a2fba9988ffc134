package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code monitor} and {@code alerts} word alerts, and their option parsing. */
class MonitorTextTest {
  private static final Instant T = Instant.parse("2025-06-01T10:00:00Z");

  @Test
  void theConsoleLineHasStateSeverityKeySummaryAndAFlappingMark() {
    assertThat(MonitorCommand.ConsoleSink.text(alert("down/g/m", AlertState.FIRING, false)))
        .isEqualTo("FIRING critical down/g/m: member m of g left without draining");
    assertThat(MonitorCommand.ConsoleSink.text(alert("down/g/m", AlertState.RESOLVED, true)))
        .isEqualTo("RESOLVED critical down/g/m: member m of g left without draining [flapping]");
  }

  @Test
  void theCountLineNamesOnlyTheStatesPresentFiringFirst() {
    assertThat(
            AlertsCommand.counts(
                List.of(
                    alert("a", AlertState.PENDING, false),
                    alert("b", AlertState.FIRING, false),
                    alert("c", AlertState.FIRING, false))))
        .isEqualTo("2 firing, 1 pending.");
  }

  @Test
  void headersAreNameEqualsValueAndValuesAreNeverQuotedBack() {
    assertThat(MonitorCommand.headers(List.of("Authorization=Bearer a=b", "X-Team=ops")))
        .containsExactly(Map.entry("Authorization", "Bearer a=b"), Map.entry("X-Team", "ops"));
    assertThatThrownBy(() -> MonitorCommand.headers(List.of("X-Team=ops", "=s3cret")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--webhook-header number 2 is not NAME=VALUE");
    assertThatThrownBy(() -> MonitorCommand.headers(List.of("X=s3cret", "X=other")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--webhook-header X is given twice");
    assertThat(AlertsCommand.parseState(" Resolved ")).isEqualTo(AlertState.RESOLVED);
  }

  private static Alert alert(String key, AlertState state, boolean flapping) {
    return new Alert(
        key,
        "down",
        RuleKind.MEMBER_DOWN,
        Severity.CRITICAL,
        state,
        Map.of("group", "g", "member", "m"),
        "member m of g left without draining",
        T,
        state == AlertState.PENDING ? null : T,
        state == AlertState.RESOLVED ? T : null,
        null,
        1,
        flapping,
        Map.of(),
        1,
        T);
  }
}
