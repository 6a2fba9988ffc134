package dev.pipekeeper.core.leader.internal;

import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Lease;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;

/** A term of leadership; its state only moves GRANTED → SUSPENDED → REVOKED (or straight on). */
public final class DefaultLease implements Lease {
  private final CuratorFramework client;
  private final String role;
  private final long epoch;
  private final int epochVersion;
  private final String holder;
  private final Instant grantedAt;
  private final AtomicReference<LeaseState> state = new AtomicReference<>(LeaseState.GRANTED);

  DefaultLease(
      CuratorFramework client,
      String role,
      long epoch,
      int epochVersion,
      String holder,
      Instant grantedAt) {
    this.client = client;
    this.role = role;
    this.epoch = epoch;
    this.epochVersion = epochVersion;
    this.holder = holder;
    this.grantedAt = grantedAt;
  }

  /** GRANTED → SUSPENDED; true if this call changed it. */
  boolean suspend() {
    return state.compareAndSet(LeaseState.GRANTED, LeaseState.SUSPENDED);
  }

  /** Anything → REVOKED; true if this call changed it. */
  boolean revoke() {
    return state.getAndSet(LeaseState.REVOKED) != LeaseState.REVOKED;
  }

  @Override
  public String role() {
    return role;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public String holder() {
    return holder;
  }

  @Override
  public Instant grantedAt() {
    return grantedAt;
  }

  @Override
  public LeaseState state() {
    return state.get();
  }

  CuratorFramework client() {
    return client;
  }

  /** A check that this lease's epoch is still the role's current one, for a fenced multi-op. */
  CuratorOp checkOp() throws Exception {
    return client.transactionOp().check().withVersion(epochVersion).forPath(ZkLayout.epoch(role));
  }

  @Override
  public boolean confirm() {
    if (!isValid()) {
      return false;
    }
    try {
      client.transaction().forOperations(checkOp());
      return isValid();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
  }

  @Override
  public String toString() {
    return "lease of " + role + " epoch " + epoch + " (" + state.get() + ")";
  }
}
