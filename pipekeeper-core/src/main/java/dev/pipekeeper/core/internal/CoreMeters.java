package dev.pipekeeper.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.apache.curator.framework.state.ConnectionState;

/**
 * The coordination meters of one connection, and the one place that names them. Every meter is
 * tagged with the connection's {@code cluster} and {@code identity} (so two connections in one JVM
 * never share a meter) and reads state its primitive keeps anyway: nothing is added to a hot path
 * and no gauge asks ZooKeeper.
 *
 * <p>Two primitives of one connection can describe the same meter (two contenders for one role, two
 * config views over {@code global}): Micrometer would hand the second the first one's meter and
 * remove it when either closed. So a meter here is shared: its gauge folds the values of every
 * primitive that registered it ({@link Fold}), and it is removed when the last of them closes.
 *
 * <p>Each registration method returns what removes its meters again (safe to run twice). {@link
 * #close()} removes what is left and makes later registrations do nothing. Thread-safe.
 */
public final class CoreMeters implements AutoCloseable {
  static final String CONNECTED = "pipekeeper.zookeeper.connected";
  static final String SESSION_TIMEOUT = "pipekeeper.zookeeper.session.timeout";
  static final String SESSION_EXPIRATIONS = "pipekeeper.zookeeper.session.expirations";
  static final String CONNECTION_EVENTS = "pipekeeper.zookeeper.connection.events";
  static final String LEADER = "pipekeeper.leadership.leader";
  static final String EPOCH = "pipekeeper.leadership.epoch";
  static final String GRANTS = "pipekeeper.leadership.grants";
  static final String CONFIG_APPLIED_VERSION = "pipekeeper.config.applied.version";
  static final String CONFIG_LAST_KNOWN_GOOD = "pipekeeper.config.last.known.good";
  static final String UNITS_OWNED = "pipekeeper.units.owned";
  static final String MEMBERSHIP_JOINED = "pipekeeper.membership.joined";
  static final String LOCKS_HELD = "pipekeeper.locks.held";

  /** How a shared gauge folds the values of the primitives that registered it. */
  enum Fold {
    SUM,
    MAX,
    MIN;

    double of(List<DoubleSupplier> sources) {
      double folded = this == SUM ? 0 : Double.NaN;
      for (DoubleSupplier source : sources) {
        double value = source.getAsDouble();
        folded =
            switch (this) {
              case SUM -> folded + value;
              case MAX -> Double.isNaN(folded) ? value : Math.max(folded, value);
              case MIN -> Double.isNaN(folded) ? value : Math.min(folded, value);
            };
      }
      return folded;
    }
  }

  /** What the connection counts as its session changes (incremented on Curator's thread). */
  public record SessionCounters(Map<ConnectionState, Counter> events, Counter expirations) {
    public void record(ConnectionState state) {
      Counter counter = events.get(state);
      if (counter != null) {
        counter.increment();
      }
      if (state == ConnectionState.LOST) {
        expirations.increment();
      }
    }
  }

  /** A leadership's grant counter and what removes its meters. */
  public record LeadershipMeters(Counter grants, Runnable remove) {}

  private final MeterRegistry registry;
  private final Tags common;
  private final Map<Key, Shared> shared = new HashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  public CoreMeters(MeterRegistry registry, String cluster, String identity) {
    this.registry = registry;
    this.common = Tags.of("cluster", cluster, "identity", identity);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The session's meters; the counters are incremented by the connection on state changes. */
  public SessionCounters session(DoubleSupplier connected, DoubleSupplier sessionTimeoutMillis) {
    gauge(
        CONNECTED,
        "1 while the ZooKeeper connection is up, else 0",
        Tags.empty(),
        connected,
        Fold.MAX);
    share(
        new Key(SESSION_TIMEOUT, common),
        Fold.MAX,
        sessionTimeoutMillis,
        s ->
            TimeGauge.builder(SESSION_TIMEOUT, s, TimeUnit.MILLISECONDS, Shared::value)
                .description("The session timeout the ZooKeeper servers granted")
                .tags(common)
                .strongReference(true)
                .register(registry));
    Map<ConnectionState, Counter> events = new EnumMap<>(ConnectionState.class);
    for (ConnectionState state : ConnectionState.values()) {
      events.put(
          state,
          counter(
              CONNECTION_EVENTS,
              "ZooKeeper connection state changes, by the state entered",
              Tags.of("state", state.name())));
    }
    Counter expirations =
        counter(
            SESSION_EXPIRATIONS,
            "Sessions lost (expired, or given up by Curator after the session timeout)",
            Tags.empty());
    return new SessionCounters(events, expirations);
  }

  /** A contender's meters, from its start to its close. */
  public LeadershipMeters leadership(String role, DoubleSupplier leader, DoubleSupplier epoch) {
    Tags tags = Tags.of("role", role);
    List<Runnable> removes = new ArrayList<>();
    removes.add(gauge(LEADER, "1 while holding a valid lease of the role", tags, leader, Fold.MAX));
    removes.add(
        gauge(
            EPOCH,
            "The epoch of the current lease of the role, or of the last one",
            tags,
            epoch,
            Fold.MAX));
    Key grantsKey = new Key(GRANTS, common.and(tags));
    removes.add(share(grantsKey, Fold.SUM, () -> 0, s -> counterOf(grantsKey, "Leases granted")));
    return new LeadershipMeters(counterOf(grantsKey, "Leases granted"), all(removes));
  }

  /** A config view's meters, one of each per scope it reads, tagged with the scope's path. */
  public <S> Runnable configView(
      List<S> scopes,
      Function<S, String> path,
      ToDoubleFunction<S> appliedVersion,
      ToDoubleFunction<S> held) {
    List<Runnable> removes = new ArrayList<>();
    for (S scope : scopes) {
      Tags tags = Tags.of("scope", path.apply(scope));
      removes.add(
          gauge(
              CONFIG_APPLIED_VERSION,
              "The version of the configuration scope applied (the lowest of this connection's"
                  + " views)",
              tags,
              () -> appliedVersion.applyAsDouble(scope),
              Fold.MIN));
      removes.add(
          gauge(
              CONFIG_LAST_KNOWN_GOOD,
              "Keys of the scope whose stored value is invalid and whose last good value is kept",
              tags,
              () -> held.applyAsDouble(scope),
              Fold.MAX));
    }
    return all(removes);
  }

  /** A group worker's meters. */
  public Runnable worker(String group, DoubleSupplier running) {
    return gauge(
        UNITS_OWNED,
        "Work units of the group running on this member",
        Tags.of("group", group),
        running,
        Fold.SUM);
  }

  /** A member's meter: 1 per member this connection has joined to the group. */
  public Runnable member(String group) {
    return gauge(
        MEMBERSHIP_JOINED,
        "Members this connection has joined to the group",
        Tags.of("group", group),
        () -> 1,
        Fold.SUM);
  }

  /** The connection's locks. */
  public Runnable locks(DoubleSupplier held) {
    return gauge(
        LOCKS_HELD,
        "Valid locks, read/write locks and semaphore leases held",
        Tags.empty(),
        held,
        Fold.SUM);
  }

  /** Removes every meter still registered and turns later registrations into no-ops. */
  @Override
  public synchronized void close() {
    closed = true;
    shared.values().forEach(s -> registry.remove(s.meter));
    shared.clear();
  }

  // ---- sharing ----

  private record Key(String name, Tags tags) {}

  /** One registered meter and the primitives that registered it. */
  private static final class Shared {
    final Fold fold;
    final List<DoubleSupplier> sources = new CopyOnWriteArrayList<>();
    Meter meter;

    Shared(Fold fold) {
      this.fold = fold;
    }

    double value() {
      return fold.of(sources);
    }
  }

  private Runnable gauge(
      String name, String description, Tags tags, DoubleSupplier value, Fold fold) {
    Tags all = common.and(tags);
    return share(
        new Key(name, all),
        fold,
        value,
        s ->
            Gauge.builder(name, s, Shared::value)
                .description(description)
                .tags(all)
                .strongReference(true)
                .register(registry));
  }

  /** A counter for the life of the connection (removed by {@link #close()}). */
  private Counter counter(String name, String description, Tags tags) {
    Key key = new Key(name, common.and(tags));
    share(key, Fold.SUM, () -> 0, s -> counterOf(key, description));
    return counterOf(key, description);
  }

  /** The counter of {@code key}: Micrometer hands out the registered one. */
  private Counter counterOf(Key key, String description) {
    return Counter.builder(key.name()).description(description).tags(key.tags()).register(registry);
  }

  /** Adds {@code source} to the meter of {@code key}, registering it first if it is new. */
  private synchronized Runnable share(
      Key key, Fold fold, DoubleSupplier source, Function<Shared, Meter> register) {
    if (closed) {
      return () -> {};
    }
    Shared entry = shared.get(key);
    if (entry == null) {
      entry = new Shared(fold);
      entry.sources.add(source);
      entry.meter = register.apply(entry);
      shared.put(key, entry);
    } else {
      entry.sources.add(source);
    }
    Shared registered = entry;
    AtomicBoolean removed = new AtomicBoolean();
    return () -> {
      if (removed.compareAndSet(false, true)) {
        release(key, registered, source);
      }
    };
  }

  private synchronized void release(Key key, Shared entry, DoubleSupplier source) {
    entry.sources.remove(source);
    if (entry.sources.isEmpty() && shared.get(key) == entry) {
      shared.remove(key);
      registry.remove(entry.meter);
    }
  }

  private static Runnable all(List<Runnable> removes) {
    return () -> removes.forEach(Runnable::run);
  }
}
