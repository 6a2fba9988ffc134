package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of {@link MonitorBench}: its own {@link Pipekeeper} connection, joined to its group,
 * viewing its configuration ({@code config().view(group, id)}, which records what it applied) and
 * publishing a health record every health interval. Its health can be switched to a high error
 * rate; a member made with a {@link TcpProxy} can be cut off from the server for real.
 */
final class BenchMember implements AutoCloseable {
  /** Errors per second a failing member reports (the bench's error-rate rule fires above 5). */
  static final double FAILING_ERRORS_PER_SECOND = 50;

  private final String group;
  private final String id;
  private final TcpProxy proxy;
  private final Pipekeeper pk;
  private final Member member;
  private final ConfigView view;
  private final HealthPublication health;
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean failing;
  private volatile long failingPublished;

  private BenchMember(
      String connect, TcpProxy proxy, String cluster, String group, String id, Settings s) {
    this.group = group;
    this.id = id;
    this.proxy = proxy;
    this.pk =
        Pipekeeper.builder()
            .zookeeper(proxy != null ? proxy.address() : connect)
            .cluster(cluster)
            .identity(id)
            .sessionTimeout(Duration.ofMillis(s.sessionMs()))
            .build();
    this.member = pk.membership().join(group, MemberInfo.defaults().id(id));
    this.view = pk.config().view(group, id);
    this.health = pk.health().publish(group, Duration.ofMillis(s.healthMs()), this::report);
  }

  /** How every member connects and publishes. */
  record Settings(int sessionMs, int healthMs) {}

  /** A member that reaches the server directly. */
  static BenchMember start(String connect, String cluster, String group, String id, Settings s) {
    return new BenchMember(connect, null, cluster, group, id, s);
  }

  /** A member that reaches the server through a proxy of its own, so it can be cut off. */
  static BenchMember startProxied(
      String host, int port, String cluster, String group, String id, Settings s) {
    TcpProxy proxy = TcpProxy.start(host, port);
    try {
      return new BenchMember(null, proxy, cluster, group, id, s);
    } catch (RuntimeException e) {
      proxy.close();
      throw e;
    }
  }

  String group() {
    return group;
  }

  String id() {
    return id;
  }

  long negotiatedSessionMs() {
    return pk.negotiatedSessionTimeout().toMillis();
  }

  /** The fault: the proxy drops every byte from now on, so the server expires the session. */
  void cutOff() {
    if (proxy == null) {
      throw new IllegalStateException(id + " has no proxy to cut");
    }
    proxy.blackhole();
  }

  /**
   * Switches the error rate that the next health records report; returns {@link System#nanoTime()}
   * just before the switch.
   */
  long failing(boolean on) {
    failingPublished = 0;
    long now = System.nanoTime();
    failing = on;
    return now;
  }

  /** When the first record with the high error rate was made (0 if not yet). */
  long failingPublished() {
    return failingPublished;
  }

  /** On the health publication's thread, just before the record is written. */
  private HealthReport report() {
    boolean bad = failing;
    if (bad && failingPublished == 0) {
      failingPublished = System.nanoTime();
    }
    long done = processed.addAndGet(100);
    long failed = bad ? errors.addAndGet(250) : errors.get();
    Instant now = Instant.now();
    return new HealthReport(
        group,
        id,
        "RUNNING",
        done,
        20.0,
        20.0,
        failed,
        bad ? FAILING_ERRORS_PER_SECOND : 0.0,
        now,
        Map.of(group + "-0", 0L),
        Map.of(),
        List.of(),
        now);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (proxy != null) {
      proxy.close(); // first: a cut-off connection would make the goodbyes wait
    }
    health.close();
    view.close();
    member.close();
    pk.close();
  }
}
