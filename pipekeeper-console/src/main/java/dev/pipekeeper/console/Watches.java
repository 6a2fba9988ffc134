package dev.pipekeeper.console;

import dev.pipekeeper.console.views.ViewJson;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigChange;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.membership.GroupListener;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.MemberRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What feeds the {@link EventFeed}: the core's public listeners where it has them — a {@link
 * GroupView} per group (members joining, leaving, changing state), a {@link ConfigView} per scope
 * (each commit, as one batch), the connection's state changes — and, for what it offers no listener
 * for (leaders, assignments, health records, alerts), a sweep that reads them every interval and
 * sends an event when one differs from what it last sent. The sweep also finds new groups and
 * scopes and starts watching them.
 *
 * <p>The sweep runs on one daemon thread; listeners run on the core's threads. A read that fails
 * (ZooKeeper away) is skipped until the next sweep; it never stops the others.
 */
final class Watches implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watches.class);

  /** How often idle event streams get a comment line. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  private final Pipekeeper pk;
  private final EventFeed feed;
  private final Duration interval;
  private final Map<String, GroupView> groups = new ConcurrentHashMap<>();
  private final Map<Scope, ConfigView> scopes = new ConcurrentHashMap<>();
  private final Map<String, String> lastSent = new HashMap<>();
  private final ScheduledExecutorService sweeper;
  private volatile boolean closed;
  private boolean first = true;
  private long lastKeepAlive = System.nanoTime();

  Watches(Pipekeeper pk, EventFeed feed, Duration interval) {
    this.pk = pk;
    this.feed = feed;
    this.interval = interval;
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pipekeeper-console-sweep");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts listening and sweeping; the first sweep runs now (it sends nothing). */
  void start() {
    pk.onConnectionStateChange(
        state -> {
          if (!closed) {
            feed.publish(
                "connection",
                Map.of(
                    "state",
                    state.name().toLowerCase(Locale.ROOT),
                    "connected",
                    state.isConnected()));
          }
        });
    sweeper.scheduleWithFixedDelay(this::sweep, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    if (closed) {
      return;
    }
    if (System.nanoTime() - lastKeepAlive > KEEP_ALIVE.toNanos()) {
      lastKeepAlive = System.nanoTime();
      feed.keepAlive();
    }
    if (!pk.connectionState().isConnected()) {
      return;
    }
    step("groups", this::watchNewGroups);
    step("scopes", this::watchNewScopes);
    step("leaders", () -> changed("leaders", "leaders", () -> pk.inspector().roles()));
    step(
        "assignments",
        () -> {
          for (String group : pk.inspector().workGroups()) {
            changed(
                "assignment:" + group,
                "assignment",
                () -> Views.assignment(pk.assignments(group).status()));
          }
        });
    step(
        "health",
        () -> {
          for (String group : pk.health().groups()) {
            changed(
                "health:" + group,
                "health",
                () -> Map.of("group", group, "reports", pk.health().reports(group)));
          }
        });
    step("alerts", () -> changed("alerts", "alerts", () -> Views.alerts(pk.alerts().active())));
    first = false;
  }

  private void step(String what, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      LOG.debug("console sweep of {} skipped: {}", what, e.toString());
    }
  }

  /** Sends {@code type} with the view when it differs from the one last sent under {@code key}. */
  private void changed(String key, String type, Supplier<Object> view) {
    Object now = view.get();
    String json = ViewJson.write(now);
    String before = lastSent.put(key, json);
    if (!first && !json.equals(before)) {
      feed.publish(type, now);
    }
  }

  private void watchNewGroups() {
    TreeSet<String> names = new TreeSet<>(pk.inspector().groups());
    names.addAll(pk.inspector().workGroups());
    for (String group : names) {
      if (closed || groups.containsKey(group)) {
        continue;
      }
      GroupView view = pk.membership().watch(group);
      view.addListener(new MemberEvents(group));
      groups.put(group, view);
      if (!first) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("group", group);
        data.put("members", view.members());
        feed.publish("group-added", data);
      }
    }
  }

  private void watchNewScopes() {
    TreeSet<Scope> all = new TreeSet<>(java.util.Comparator.comparing(Scope::path));
    all.add(Scope.global());
    all.addAll(pk.config().scopes());
    for (Scope scope : all) {
      if (closed || scopes.containsKey(scope)) {
        continue;
      }
      ConfigView view = pk.config().view(List.of(scope));
      view.onBatch(change -> configChanged(scope, change));
      scopes.put(scope, view);
      if (!first) {
        // A scope is made by its first commit, which came before this view: announce what the
        // scope holds now, as that commit; the view reports every later one.
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("scope", scope.path());
        data.put("version", pk.config().version(scope));
        data.put(
            "changed",
            new TreeSet<>(pk.config().list(scope).stream().map(ConfigEntry::key).toList()));
        feed.publish("config", data);
      }
    }
  }

  /** A commit in one scope: its version and the keys it changed, never the values. */
  private void configChanged(Scope scope, ConfigChange change) {
    if (closed) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("scope", scope.path());
    data.put("version", change.versions().get(scope));
    data.put("changed", new TreeSet<>(change.changes().keySet()));
    feed.publish("config", data);
  }

  /** A group's member changes, as events. */
  private final class MemberEvents implements GroupListener {
    private final String group;

    MemberEvents(String group) {
      this.group = group;
    }

    @Override
    public void memberJoined(MemberRecord member) {
      send("member-joined", member);
    }

    @Override
    public void memberLeft(MemberRecord member) {
      send("member-left", member);
    }

    @Override
    public void memberUpdated(MemberRecord before, MemberRecord after) {
      send("member-updated", after);
    }

    private void send(String type, MemberRecord member) {
      if (!closed) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("group", group);
        data.put("member", member);
        feed.publish(type, data);
      }
    }
  }

  /** Stops the sweep and closes every view. Safe twice. */
  @Override
  public void close() {
    closed = true;
    sweeper.shutdownNow();
    try {
      if (!sweeper.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("the console's sweep did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    groups.values().forEach(Watches::closeQuietly);
    groups.clear();
    scopes.values().forEach(Watches::closeQuietly);
    scopes.clear();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing a console watch: {}", e.toString());
    }
  }
}
