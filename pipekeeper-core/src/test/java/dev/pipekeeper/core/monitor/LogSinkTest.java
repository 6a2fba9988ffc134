package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSinkTest {
  private static Alert alert(AlertState state) {
    return SampleAlerts.memberDown(state);
  }

  @Test
  void oneLinePerTransitionWarnWhenFiringInfoWhenResolved() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.pipekeeper.alerts");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try (AlertSink sink = AlertSinks.log()) {
      assertThat(sink.name()).isEqualTo("log");
      sink.deliver(alert(AlertState.FIRING));
      sink.deliver(alert(AlertState.RESOLVED));
    } finally {
      logger.detachAppender(logs);
    }
    assertThat(logs.list)
        .extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.WARN, Level.INFO);
    assertThat(logs.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "alert FIRING critical member-down/enrichment/m3: member m3 of enrichment left without"
                + " draining (firing since 10:00:03Z)",
            "alert RESOLVED critical member-down/enrichment/m3: member m3 of enrichment left"
                + " without draining (resolved at 10:05:00Z, firing since 10:00:03Z)");
  }

  @Test
  void anAlertEndedByItsRuleGoingAwaySaysSo() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.pipekeeper.alerts");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try (AlertSink sink = AlertSinks.log()) {
      sink.deliver(SampleAlerts.memberDownEnded(Resolution.RULE_REMOVED));
      sink.deliver(SampleAlerts.memberDownEnded(Resolution.RECOVERED));
    } finally {
      logger.detachAppender(logs);
    }
    assertThat(logs.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "alert RESOLVED critical member-down/enrichment/m3: member m3 of enrichment left"
                + " without draining (ended at 10:05:00Z: its rule was removed, not a recovery;"
                + " firing since 10:00:03Z)",
            "alert RESOLVED critical member-down/enrichment/m3: member m3 of enrichment left"
                + " without draining (resolved at 10:05:00Z, firing since 10:00:03Z)");
  }
}
