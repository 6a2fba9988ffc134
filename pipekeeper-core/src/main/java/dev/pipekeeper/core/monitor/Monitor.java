package dev.pipekeeper.core.monitor;

import java.util.List;
import java.util.Optional;

/**
 * A contender for the cluster's one monitor (role {@value #ROLE}): started from {@link
 * dev.pipekeeper.core.Pipekeeper#monitor()} by any member or by a standalone {@code pipekeeper
 * monitor}. The elected one evaluates the rules of {@value Rules#KEY} every evaluation interval,
 * keeps the alerts in {@code alerts/active} (fenced by its epoch), records transitions in {@code
 * alerts/history} and delivers them to its sinks; the others stand by. A monitor that takes over
 * continues from the stored alerts: a firing alert stays firing and is not delivered again, a
 * pending one keeps its start.
 *
 * <p>Evaluation runs on the monitor's own thread; sinks deliver on theirs. On SUSPENDED the monitor
 * stops evaluating at once; on a new term it reloads everything. Thread-safe.
 */
public interface Monitor extends AutoCloseable {
  /** The role the cluster's monitors contend for. */
  String ROLE = "pipekeeper.monitor";

  /**
   * Settings for a contender for the monitor on {@code pk}; the same as {@code pk.monitor()}.
   *
   * @throws IllegalArgumentException when the monitor starts, if {@code pk} was not made by {@code
   *     Pipekeeper.builder()}
   */
  static MonitorBuilder builder(dev.pipekeeper.core.Pipekeeper pk) {
    return new MonitorBuilder(pk);
  }

  /** Whether this contender is the elected monitor now. */
  boolean isLeading();

  /** The alerts as this monitor last evaluated them; empty unless it leads. */
  List<Alert> alerts();

  /** The last evaluation this monitor ran, if any. */
  Optional<Evaluation> lastEvaluation();

  /** How deliveries to each sink are going. */
  List<SinkStatus> sinks();

  /** Stops evaluating, leaves the election, closes the sinks and probes. Safe to call twice. */
  @Override
  void close();
}
