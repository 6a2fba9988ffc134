package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per transition to the SLF4J logger {@value #LOGGER}: WARN when an alert fires,
 * INFO when it resolves, e.g. {@code alert FIRING critical member-down/enrichment/m3: member m3 of
 * enrichment left without draining (firing since 10:00:03Z)}. Times are UTC. Never throws.
 */
public final class LogSink implements AlertSink {
  public static final String LOGGER = "dev.pipekeeper.alerts";
  static final String NAME = "log";
  private static final Logger ALERTS = LoggerFactory.getLogger(LOGGER);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ssX").withZone(ZoneOffset.UTC);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void deliver(Alert alert) {
    try {
      String line = line(alert);
      if (alert.state() == AlertState.FIRING) {
        ALERTS.warn(line);
      } else {
        ALERTS.info(line);
      }
    } catch (RuntimeException e) {
      // A broken logging backend must not turn into endless retries of the log sink.
      try {
        ALERTS.warn("alert {} could not be written: {}", alert.key(), e.toString());
      } catch (RuntimeException ignored) {
        // nothing more to do
      }
    }
  }

  static String line(Alert alert) {
    StringBuilder line = new StringBuilder("alert ");
    line.append(alert.state() == null ? "-" : alert.state().name()).append(' ');
    line.append(alert.severity() == null ? "-" : alert.severity().label()).append(' ');
    line.append(alert.key());
    if (alert.summary() != null && !alert.summary().isBlank()) {
      line.append(": ").append(alert.summary());
    }
    String since = when(alert);
    if (!since.isEmpty()) {
      line.append(" (").append(since).append(')');
    }
    if (alert.flapping()) {
      line.append(" [flapping]");
    }
    return line.toString();
  }

  private static String when(Alert alert) {
    if (alert.ruleRemoved() && alert.resolvedAt() != null) {
      return "ended at "
          + time(alert.resolvedAt())
          + ": its rule was removed, not a recovery"
          + (alert.firedAt() == null ? "" : "; firing since " + time(alert.firedAt()));
    }
    if (alert.state() == AlertState.RESOLVED && alert.resolvedAt() != null) {
      return "resolved at "
          + time(alert.resolvedAt())
          + (alert.firedAt() == null ? "" : ", firing since " + time(alert.firedAt()));
    }
    Instant since = alert.firedAt() != null ? alert.firedAt() : alert.pendingSince();
    return since == null ? "" : "firing since " + time(since);
  }

  private static String time(Instant instant) {
    return TIME.format(instant);
  }
}
