package dev.pipekeeper.core.barriers.internal;

import dev.pipekeeper.core.barriers.Barrier;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;

/** A double barrier on Curator's {@link DistributedDoubleBarrier}. */
public final class DefaultBarrier implements Barrier {
  private final Session session;
  private final String name;
  private final DistributedDoubleBarrier barrier;
  private final java.util.concurrent.atomic.AtomicBoolean entered =
      new java.util.concurrent.atomic.AtomicBoolean();

  public DefaultBarrier(Session session, String name, int members) {
    this.session = session;
    this.name = name;
    this.barrier = new DistributedDoubleBarrier(session.client(), ZkLayout.barrier(name), members);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean enter(Duration timeout) {
    session.awaitConnected(timeout);
    try {
      boolean all = barrier.enter(timeout.toMillis(), TimeUnit.MILLISECONDS);
      entered.set(true);
      return all;
    } catch (Exception e) {
      throw session.failure("entering barrier " + name, e);
    }
  }

  @Override
  public boolean leave(Duration timeout) {
    if (!entered.get()) {
      throw new IllegalStateException(
          "barrier " + name + ": leave() on an instance that did not enter()");
    }
    session.awaitConnected(timeout);
    try {
      return barrier.leave(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw session.failure("leaving barrier " + name, e);
    }
  }
}
