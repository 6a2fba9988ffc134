package dev.pipekeeper.core.testing;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import java.util.ArrayList;
import java.util.List;

/** An alert sink that keeps what it is given, for tests to check what was delivered, and when. */
public final class RecordingSink implements AlertSink {
  private final String name;
  private final List<Alert> delivered = new ArrayList<>();

  public RecordingSink(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void deliver(Alert alert) {
    delivered.add(alert);
  }

  /** Everything delivered, in order. */
  public synchronized List<Alert> delivered() {
    return List.copyOf(delivered);
  }

  /** The states delivered for {@code key}, in order. */
  public synchronized List<AlertState> states(String key) {
    return delivered.stream().filter(a -> a.key().equals(key)).map(Alert::state).toList();
  }

  public synchronized List<String> keys() {
    return delivered.stream().map(Alert::key).distinct().toList();
  }
}
