package dev.pipekeeper.console;

import dev.pipekeeper.console.views.ViewJson;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.ClusterChange;
import dev.pipekeeper.core.ClusterListener;
import dev.pipekeeper.core.ClusterWatch;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.AppliedConfig;
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
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What feeds the {@link EventFeed}: the core's listeners, nothing polled. A {@link GroupView} per
 * group (members joining, leaving, changing state), a {@link ConfigView} per scope (each commit, as
 * one batch), the connection's state changes, and one {@link ClusterWatch} for the rest: told that
 * a role's election, a group's assignment or health records, or the live alerts changed, it reads
 * that one view again and sends it when it differs from what it last sent. The same watch finds new
 * groups and scopes, which are then watched; after a reconnect ({@link #watching()}) every view is
 * read again, since changes made while ZooKeeper was away are not told one by one.
 *
 * <p>Cluster-watch calls run on the watch's thread, one at a time (changes that come meanwhile are
 * merged by the core); member and config listeners on the core's threads; the keep-alive comment
 * and the members' applied versions on one daemon thread of the console. A read that fails
 * (ZooKeeper away) is skipped; the reconnect reads it again.
 */
final class Watches implements AutoCloseable, ClusterListener {
  private static final Logger LOG = LoggerFactory.getLogger(Watches.class);

  /** How often idle event streams get a comment line. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  /** The name of the console's own thread (keep-alive, applied versions). */
  static final String THREAD = "pipekeeper-console-watches";

  private final Pipekeeper pk;
  private final EventFeed feed;
  private final Map<String, GroupView> groups = new ConcurrentHashMap<>();
  private final Map<Scope, ConfigView> scopes = new ConcurrentHashMap<>();
  private final Map<String, String> lastSent = new ConcurrentHashMap<>();
  private final Map<String, AppliedConfig> appliedSent = new HashMap<>();
  private final AtomicBoolean appliedQueued = new AtomicBoolean();
  private final ScheduledExecutorService thread;
  private volatile ClusterWatch watch;
  private volatile boolean closed;
  private volatile boolean baseline = true;

  Watches(Pipekeeper pk, EventFeed feed) {
    this.pk = pk;
    this.feed = feed;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, THREAD);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts listening. The first read of every view, once the cluster watch is in place, sends
   * nothing: it is what later changes are compared with.
   */
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
    long every = KEEP_ALIVE.toMillis();
    thread.scheduleAtFixedRate(feed::keepAlive, every, every, TimeUnit.MILLISECONDS);
    watch = pk.inspector().watch(this);
  }

  /** The watch is in place (at start, after a reconnect): every view is read again. */
  @Override
  public void watching() {
    if (closed) {
      return;
    }
    step("groups", this::watchNewGroups);
    step("scopes", this::watchNewScopes);
    step("leaders", this::leaders);
    step(
        "assignments",
        () -> {
          for (String group : pk.inspector().workGroups()) {
            assignment(group);
          }
        });
    step(
        "health",
        () -> {
          for (String group : pk.health().groups()) {
            health(group);
          }
        });
    step("alerts", this::alerts);
    step("applied", this::applied);
    baseline = false;
  }

  @Override
  public void changed(ClusterChange change) {
    if (closed) {
      return;
    }
    String name = change.name();
    switch (change.area()) {
      case MEMBERS -> step("group " + name, () -> watchGroup(name));
      case LEADERS -> step("leaders", this::leaders);
      case ASSIGNMENT ->
          step(
              "assignment of " + name,
              () -> {
                watchGroup(name);
                assignment(name);
              });
      case HEALTH -> step("health of " + name, () -> health(name));
      case ALERTS -> step("alerts", this::alerts);
      case CONFIG -> step("scope " + name, () -> watchScope(Scope.parse(name)));
      case APPLIED -> appliedChanged();
    }
  }

  private void step(String what, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      LOG.debug("console read of {} skipped: {}", what, e.toString());
    }
  }

  private void leaders() {
    changed("leaders", "leaders", () -> pk.inspector().roles());
  }

  private void assignment(String group) {
    changed(
        "assignment:" + group,
        "assignment",
        () -> Views.assignment(pk.assignments(group).status()));
  }

  private void health(String group) {
    changed(
        "health:" + group,
        "health",
        () -> Map.of("group", group, "reports", pk.health().reports(group)));
  }

  private void alerts() {
    changed("alerts", "alerts", () -> Views.alerts(pk.alerts().active()));
  }

  /** Sends {@code type} with the view when it differs from the one last sent under {@code key}. */
  private void changed(String key, String type, Supplier<Object> view) {
    Object now = view.get();
    String json = ViewJson.write(now);
    String before = lastSent.put(key, json);
    if (!baseline && !json.equals(before)) {
      feed.publish(type, now);
    }
  }

  /**
   * Members acknowledge commits one by one (1,000 members: 1,000 changes), and the core reads every
   * member's acknowledgement at once: so one read on the console's thread follows a burst, and one
   * more if changes came during it.
   */
  private void appliedChanged() {
    if (appliedQueued.compareAndSet(false, true)) {
      try {
        thread.execute(
            () -> {
              appliedQueued.set(false);
              step("applied versions", this::applied);
            });
      } catch (RejectedExecutionException closing) {
        // closed meanwhile
      }
    }
  }

  /**
   * One {@code applied} event, {@code {members: {ID: appliedConfig}}}, with the members whose
   * applied versions differ from those last sent (null: the member's acknowledgement is gone).
   */
  private void applied() {
    if (closed) {
      return;
    }
    Map<String, AppliedConfig> now = pk.config().applied();
    Map<String, AppliedConfig> changed = new java.util.TreeMap<>();
    synchronized (appliedSent) {
      for (Map.Entry<String, AppliedConfig> entry : now.entrySet()) {
        AppliedConfig before = appliedSent.put(entry.getKey(), entry.getValue());
        if (!Objects.equals(before, entry.getValue())) {
          changed.put(entry.getKey(), entry.getValue());
        }
      }
      for (String gone : List.copyOf(appliedSent.keySet())) {
        if (!now.containsKey(gone)) {
          appliedSent.remove(gone);
          changed.put(gone, null);
        }
      }
    }
    if (!baseline && !changed.isEmpty()) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("members", changed);
      feed.publish("applied", data);
    }
  }

  private void watchNewGroups() {
    TreeSet<String> names = new TreeSet<>(pk.inspector().groups());
    names.addAll(pk.inspector().workGroups());
    names.forEach(this::watchGroup);
  }

  /** Watches {@code group} from now on, if it is not yet; announced unless at the first read. */
  private void watchGroup(String group) {
    if (closed || groups.containsKey(group)) {
      return;
    }
    GroupView view = pk.membership().watch(group);
    view.addListener(new MemberEvents(group));
    groups.put(group, view);
    if (!baseline) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("group", group);
      data.put("members", view.members());
      feed.publish("group-added", data);
    }
  }

  private void watchNewScopes() {
    TreeSet<Scope> all = new TreeSet<>(java.util.Comparator.comparing(Scope::path));
    all.add(Scope.global());
    all.addAll(pk.config().scopes());
    all.forEach(this::watchScope);
  }

  /** Watches {@code scope} from now on, if it is not yet; announced unless at the first read. */
  private void watchScope(Scope scope) {
    if (closed || scopes.containsKey(scope)) {
      return;
    }
    ConfigView view = pk.config().view(List.of(scope));
    view.onBatch(change -> configChanged(scope, change));
    scopes.put(scope, view);
    if (!baseline) {
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

  /** Closes the cluster watch, the console's thread and every view. Safe twice. */
  @Override
  public void close() {
    closed = true;
    ClusterWatch cluster = watch;
    if (cluster != null) {
      cluster.close();
    }
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("the console's thread did not stop within 5 s");
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
