package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.Alerts;
import java.util.List;

/** Reads {@code alerts/active} and {@code alerts/history}. */
public final class DefaultAlerts implements Alerts {
  private final Session session;

  public DefaultAlerts(Session session) {
    this.session = session;
  }

  @Override
  public List<Alert> active() {
    return List.copyOf(AlertStore.readActive(session).values());
  }

  @Override
  public List<Alert> history(int limit) {
    if (limit < 1) {
      throw new InvalidInputException("the history limit must be at least 1, not " + limit);
    }
    return AlertStore.readHistory(session, limit);
  }
}
