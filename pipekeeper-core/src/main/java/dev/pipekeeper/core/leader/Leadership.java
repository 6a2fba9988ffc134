package dev.pipekeeper.core.leader;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One contender in the leader election of a role, on Curator's {@code LeaderLatch}, with a fencing
 * epoch per term (see {@link Lease}).
 * <!-- example-context: Pipekeeper pk; void cleanup(long epoch) -->
 *
 * <pre>{@code
 * Leadership nightly = pk.leadership("nightly-cleanup");
 * nightly.onGranted(lease -> cleanup(lease.epoch()));
 * nightly.start();
 * }</pre>
 *
 * <p>Connection states: SUSPENDED suspends the current lease at once; LOST revokes it; after
 * RECONNECTED leadership is contested again and a new term, if won, has a new epoch. Thread-safe.
 */
public interface Leadership extends AutoCloseable {

  String role();

  /**
   * Starts contending. Listeners added before start see the first grant. Safe to call twice.
   *
   * @throws IllegalStateException if closed
   */
  Leadership start();

  /** Adds a listener; it is called on this leadership's own thread. */
  Leadership addListener(LeaseListener listener);

  /** Shorthand for a listener of grants only. */
  default Leadership onGranted(Consumer<Lease> action) {
    return addListener(
        new LeaseListener() {
          @Override
          public void granted(Lease lease) {
            action.accept(lease);
          }
        });
  }

  /** The current lease if this contender leads now. */
  Optional<Lease> currentLease();

  /**
   * Waits until this contender holds a valid lease.
   *
   * @return the lease, or empty if none was granted within {@code timeout}
   */
  Optional<Lease> awaitLease(Duration timeout);

  /**
   * Gives up leadership if held (the lease is revoked and listeners are told) and contends again
   * behind the others, so another contender takes over. Returns once the lease is revoked.
   */
  void resign();

  /** Leaves the election for good; a held lease is revoked first. Safe to call twice. */
  @Override
  void close();
}
