package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.MonitorProbe;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

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
    Duration ensembleTimeout) {}
