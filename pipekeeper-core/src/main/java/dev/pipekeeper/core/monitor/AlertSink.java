package dev.pipekeeper.core.monitor;

/**
 * Where the monitor delivers alert transitions: an alert that starts FIRING and one that RESOLVES
 * (pending alerts are not delivered). The monitor calls {@link #deliver(Alert)} from the sink's own
 * delivery thread, behind a bounded queue, retrying with backoff when it throws, so a slow or dead
 * sink never holds up evaluation or the other sinks.
 *
 * <p>Delivery is once per transition while one monitor leads; a monitor that takes over delivers
 * what its predecessor had not confirmed, so across a failover a transition may reach a sink twice
 * (its {@link Alert#key()} and {@link Alert#state()} identify it).
 */
public interface AlertSink extends AutoCloseable {

  /**
   * The sink's name, unique among a monitor's sinks ({@code log}, {@code webhook}, {@code kafka}):
   * it labels the sink's meters and records what was delivered to it.
   */
  String name();

  /**
   * Delivers one transition; returns once the receiver has it.
   *
   * @throws DeliveryException (or any runtime exception) if it could not; it will be retried
   */
  void deliver(Alert alert);

  /** Releases the sink's clients. The default does nothing. */
  @Override
  default void close() {}
}
