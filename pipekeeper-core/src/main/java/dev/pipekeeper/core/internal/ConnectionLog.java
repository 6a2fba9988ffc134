package dev.pipekeeper.core.internal;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipekeeper's own log of a connection, what an operator reads of an outage: one line per state
 * change (suspended, lost, back, with how long it was down) and, while it stays down, one line
 * every {@code stillDownEvery}. Thread-safe.
 */
public final class ConnectionLog {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLog.class);

  private final String cluster;
  private final LongSupplier nanoTime;
  private final long stillDownEveryNanos;

  // Guarded by this.
  private ConnectionState down; // null while connected
  private long downSince;
  private long reportedAt;

  /**
   * @param nanoTime the clock, as {@link System#nanoTime()}
   * @param stillDownEvery how often to say that the connection is still down
   */
  public ConnectionLog(String cluster, LongSupplier nanoTime, Duration stillDownEvery) {
    this.cluster = cluster;
    this.nanoTime = nanoTime;
    this.stillDownEveryNanos = stillDownEvery.toNanos();
  }

  /** Logs a state change Curator reported; a repeated state is not logged again. */
  public synchronized void changed(ConnectionState state) {
    long now = nanoTime.getAsLong();
    if (state.isConnected()) {
      if (down != null) {
        LOG.info(
            "ZooKeeper connection {} after {} (cluster {})", state, took(now - downSince), cluster);
        down = null;
      }
      return;
    }
    if (state == down || state == ConnectionState.READ_ONLY) {
      return;
    }
    if (down == null) {
      downSince = now;
    }
    down = state;
    reportedAt = now;
    LOG.warn("ZooKeeper connection {} (cluster {})", state, cluster);
  }

  /** Called now and then (more often than {@code stillDownEvery}): says it is still down. */
  public synchronized void tick() {
    long now = nanoTime.getAsLong();
    if (down != null && now - reportedAt >= stillDownEveryNanos) {
      reportedAt = now;
      LOG.warn(
          "ZooKeeper connection still {} after {} (cluster {})",
          down,
          took(now - downSince),
          cluster);
    }
  }

  /** {@code 5 s}, {@code 2 min}, {@code 3 min 5 s}: whole seconds are enough to read an outage. */
  private static String took(long nanos) {
    long seconds = Duration.ofNanos(nanos).toSeconds();
    if (seconds < 60) {
      return seconds + " s";
    }
    return seconds % 60 == 0 ? seconds / 60 + " min" : seconds / 60 + " min " + seconds % 60 + " s";
  }
}
