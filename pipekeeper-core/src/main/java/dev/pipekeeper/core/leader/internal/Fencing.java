package dev.pipekeeper.core.leader.internal;

import dev.pipekeeper.core.leader.FencedException;
import dev.pipekeeper.core.leader.Lease;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

/**
 * Writes under a lease: a ZooKeeper multi-op that begins with a check of the version of the role's
 * epoch node as the lease saw it, so a deposed leader's write is refused inside ZooKeeper, all or
 * nothing. The one place that turns a {@link Lease} into this implementation's own; the assignments
 * and the monitor write through it.
 */
public final class Fencing {
  private final DefaultLease lease;

  private Fencing(DefaultLease lease) {
    this.lease = lease;
  }

  /**
   * Fencing for {@code lease}.
   *
   * @throws IllegalArgumentException if {@code lease} was not granted by this implementation's
   *     {@code Leadership} (only those know their epoch node's version)
   */
  public static Fencing of(Lease lease) {
    if (lease instanceof DefaultLease own) {
      return new Fencing(own);
    }
    throw new IllegalArgumentException(
        (lease == null ? "no lease" : "lease " + lease + " (" + lease.getClass().getName() + ")")
            + " was not granted by a Pipekeeper Leadership: only its own leases can fence a write");
  }

  public Lease lease() {
    return lease;
  }

  /** Where the operations of {@link #commit} are made (the lease's connection). */
  public TransactionOp ops() {
    return lease.client().transactionOp();
  }

  /**
   * Commits {@code ops} in one multi-op after the lease's epoch check.
   *
   * @throws FencedException with {@code fenced}'s message if the epoch check failed: another term
   *     has begun and nothing was written
   * @throws KeeperException if one of {@code ops} failed (nothing was written either)
   */
  public void commit(List<CuratorOp> ops, Supplier<String> fenced) throws Exception {
    List<CuratorOp> batch = new ArrayList<>(ops.size() + 1);
    batch.add(lease.checkOp());
    batch.addAll(ops);
    try {
      lease.client().transaction().forOperations(batch);
    } catch (KeeperException e) {
      if (failedFirst(e)) {
        throw new FencedException(fenced.get());
      }
      throw e;
    }
  }

  /** Whether a multi-op failed on its first operation, the epoch check. */
  static boolean failedFirst(KeeperException e) {
    List<OpResult> results = e.getResults();
    return results != null
        && !results.isEmpty()
        && results.get(0) instanceof OpResult.ErrorResult error
        && error.getErr() != KeeperException.Code.OK.intValue()
        && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue();
  }
}
