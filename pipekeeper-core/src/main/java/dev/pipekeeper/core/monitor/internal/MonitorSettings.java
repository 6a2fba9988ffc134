package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.MonitorProbe;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The settings of one monitor as {@link dev.pipekeeper.core.monitor.MonitorBuilder#start()} checked
 * them; immutable.
 *
 * @param metrics the registry set, or null for the connection's
 * @param ensemble the ensemble's connect string, or null for the connection's
 */
public record MonitorSettings(
    Duration evaluationInterval,
    List<AlertSink> sinks,
    boolean logSink,
    List<MonitorProbe> probes,
    MeterRegistry metrics,
    Clock clock,
    Duration flapWindow,
    int historyLimit,
    int deliveryQueue,
    Duration deliveryBackoff,
    Duration deliveryMaxBackoff,
    String ensemble,
    Duration ensembleTimeout) {

  /**
   * Checks that the names that key the monitor's state are unique: the sinks' (delivery queues and
   * statuses, with {@code log} taken by the log sink when it is on) and the probes' systems (their
   * reports, which the rules read).
   *
   * @throws InvalidInputException naming the name given twice
   */
  public MonitorSettings {
    sinks = List.copyOf(sinks);
    probes = List.copyOf(probes);
    Set<String> sinkNames = new HashSet<>();
    if (logSink) {
      sinkNames.add(LogSink.NAME);
    }
    for (AlertSink sink : sinks) {
      if (!sinkNames.add(sink.name())) {
        throw new InvalidInputException("two alert sinks are named '" + sink.name() + "'");
      }
    }
    Set<String> systems = new HashSet<>();
    for (MonitorProbe probe : probes) {
      if (!systems.add(probe.system())) {
        throw new InvalidInputException(
            "two monitor probes are of the system '"
                + probe.system()
                + "'; each system takes one probe, whose report the rules read by that name");
      }
    }
  }
}
