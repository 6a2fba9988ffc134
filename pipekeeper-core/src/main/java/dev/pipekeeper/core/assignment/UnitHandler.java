package dev.pipekeeper.core.assignment;

/**
 * What a {@link GroupWorker} runs: it is told to start a unit once this member holds the unit's
 * ownership, and to stop it before the ownership is given up.
 *
 * <p>Both calls run on a Pipekeeper thread (never on Curator's event thread), one at a time per
 * unit. {@code start} should start the unit's work on the handler's own threads and return; {@code
 * stop} should stop it and return once it has stopped. A {@code stop} that takes longer than {@link
 * WorkerOptions#stopTimeout()} is logged and the ownership is given up anyway; a {@code start} that
 * takes longer is logged and the unit counted as started. An exception from {@code start} gives the
 * unit back (it is retried later); one from {@code stop} is logged.
 * <!-- example-context: Pipekeeper pk; Map<String, Poller> pollers; interface Poller {
 *   static Poller start(UnitOwnership unit) { return null; } void stopAndWait(); } -->
 *
 * <pre>{@code
 * pk.worker("ingest", MemberInfo.withCapacity(8), new UnitHandler() {
 *   public void start(UnitOwnership unit) { pollers.put(unit.unit(), Poller.start(unit)); }
 *   public void stop(UnitOwnership unit) { pollers.remove(unit.unit()).stopAndWait(); }
 * });
 * }</pre>
 */
public interface UnitHandler {

  /** This member now exclusively owns {@code unit}: start its work. */
  void start(UnitOwnership unit);

  /** Stop the work of {@code unit}; the ownership is given up when this returns. */
  void stop(UnitOwnership unit);
}
