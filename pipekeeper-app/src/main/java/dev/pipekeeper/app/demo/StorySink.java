package dev.pipekeeper.app.demo;

import static dev.pipekeeper.app.demo.Figures.millis;

import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import java.time.Duration;
import java.util.List;

/**
 * The demo monitor's sink: tells the story of each alert transition as the monitor delivers it, and
 * keeps it in {@code delivered} for the steps to check.
 */
final class StorySink implements AlertSink {
  private final List<Alert> delivered;
  private final Stage.Narrator narrator;

  /** {@code delivered} must be safe to add to from the monitor's thread. */
  StorySink(List<Alert> delivered, Stage.Narrator narrator) {
    this.delivered = delivered;
    this.narrator = narrator;
  }

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public void deliver(Alert alert) {
    delivered.add(alert);
    if (alert.state() == AlertState.RESOLVED && alert.firedAt() != null) {
      narrator.say(
          "  alert RESOLVED %s %s (it had fired %s before)",
          alert.severity().label(),
          alert.key(),
          millis(Duration.between(alert.firedAt(), alert.resolvedAt()).toNanos()));
    } else {
      narrator.say(
          "  alert %s %s %s: %s",
          alert.state(), alert.severity().label(), alert.key(), alert.summary());
    }
  }
}
