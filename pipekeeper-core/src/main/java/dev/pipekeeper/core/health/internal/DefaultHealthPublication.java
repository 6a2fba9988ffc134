package dev.pipekeeper.core.health.internal;

import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.Threads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's health record: an ephemeral {@link PersistentNode} (recreated after a session loss)
 * whose data a timer thread replaces once per interval.
 */
final class DefaultHealthPublication implements HealthPublication {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultHealthPublication.class);

  private final Session session;
  private final String group;
  private final Duration interval;
  private final Supplier<HealthReport> report;
  private final PersistentNode node;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Runnable forget = () -> {};
  private boolean failing;

  DefaultHealthPublication(
      Session session,
      String group,
      String path,
      Duration interval,
      Supplier<HealthReport> report) {
    this.session = session;
    this.group = group;
    this.interval = interval;
    this.report = report;
    this.node =
        new PersistentNode(
            session.client(), CreateMode.EPHEMERAL, false, path, Json.write(report.get()));
    this.timer =
        Executors.newSingleThreadScheduledExecutor(Threads.named("pipekeeper-health-" + group));
  }

  void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  void start() {
    node.start();
    try {
      if (!node.waitForInitialCreate(
          session.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "health of {} in group {}: not published yet (no connection); will be when connected",
            session.identity(),
            group);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.scheduleWithFixedDelay(
        this::write, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void publishNow() {
    try {
      timer.execute(this::write);
    } catch (RejectedExecutionException closedMeanwhile) {
      // nothing to publish any more
    }
  }

  /** On the timer thread only. */
  private void write() {
    if (!session.isConnected()) {
      // A write now would wait out the connection timeout and retries in Curator's background
      // and log an ERROR with a stack trace for each interval of the outage. The node is
      // recreated with its last data when the session comes back, and the next interval
      // publishes a fresh report.
      return;
    }
    try {
      node.setData(Json.write(report.get()));
      if (failing) {
        LOG.info("health of {} in group {}: published again", session.identity(), group);
        failing = false;
      }
    } catch (Exception e) {
      if (!failing) {
        LOG.warn(
            "health of {} in group {}: cannot publish now: {}",
            session.identity(),
            group,
            e.toString());
        failing = true;
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      forget.run();
      timer.shutdownNow();
      try {
        timer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      session.release(node, "health of " + session.identity() + " in group " + group);
    }
  }
}
