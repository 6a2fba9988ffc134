package dev.pipekeeper.console;

import dev.pipekeeper.console.views.ViewJson;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.NotFoundException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.UnreachableException;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.RuleSet;
import dev.pipekeeper.core.monitor.Rules;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The read-only handlers of {@code /api/v1}: each reads through the connection once per request and
 * answers with a view of {@link Views} (the CLI's {@code --json} shows the same). Bad input throws
 * {@link InvalidInputException}, something not there {@link NotFoundException}; {@link Errors}
 * answers them.
 */
final class Api {
  /** How many alert transitions {@code alerts/history} gives unless asked. */
  static final int DEFAULT_HISTORY = 50;

  private final Pipekeeper pk;
  private final boolean writable;
  private final String audit;

  /**
   * Handlers over {@code pk}; {@code writable}: whether operators may change it here; {@code
   * audit}: where its audit events come from, or null.
   */
  Api(Pipekeeper pk, boolean writable, String audit) {
    this.pk = pk;
    this.writable = writable;
    this.audit = audit;
  }

  /** {@code GET /api/v1/health}: the console itself, and its connection; always 200. */
  void health(Context ctx) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("console", "serving");
    json.put("cluster", pk.cluster());
    json.put("identity", pk.identity());
    json.put("zookeeper", pk.connectionState().name().toLowerCase(Locale.ROOT));
    json.put("connected", pk.connectionState().isConnected());
    json.put("writable", writable);
    json.put("audit", audit);
    send(ctx, json);
  }

  /** {@code GET /api/v1/clusters}: the one cluster this console's connection is to. */
  void clusters(Context ctx) {
    send(ctx, List.of(clusterSummary()));
  }

  /** {@code GET /api/v1/clusters/{cluster}}. */
  void cluster(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Map<String, Object> json = clusterSummary();
    json.put("groups", groups());
    send(ctx, json);
  }

  private Map<String, Object> clusterSummary() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", pk.cluster());
    json.put("zookeeper", pk.connectionState().name().toLowerCase(Locale.ROOT));
    return json;
  }

  /** {@code GET .../groups}: every group with members, work units or health records. */
  void groups(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    send(ctx, groups());
  }

  /**
   * {@code GET .../groups/{group}/members}: with the config versions each member applied, and the
   * member nodes that are no record, one item each.
   */
  void members(Context ctx) {
    String group = group(ctx);
    send(ctx, Views.members(pk.inspector().memberListing(group), pk.config().applied()));
  }

  /** {@code GET .../groups/{group}/units}. */
  void units(Context ctx) {
    send(ctx, pk.workUnits(group(ctx)).list());
  }

  /** {@code GET .../groups/{group}/assignment}. */
  void assignment(Context ctx) {
    send(ctx, Views.assignment(pk.assignments(group(ctx)).status()));
  }

  /** {@code GET .../groups/{group}/health}. */
  void groupHealth(Context ctx) {
    send(ctx, pk.health().reports(group(ctx)));
  }

  /** {@code GET .../assignments}: every group with work units. */
  void assignments(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    List<Object> all = new ArrayList<>();
    for (String group : pk.inspector().workGroups()) {
      all.add(Views.assignment(pk.assignments(group).status()));
    }
    send(ctx, all);
  }

  /** {@code GET .../leaders}. */
  void leaders(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    send(ctx, pk.inspector().roles());
  }

  /** {@code GET .../locks}. */
  void locks(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    send(ctx, pk.inspector().locks());
  }

  /** {@code GET .../health}: every group's health records, by group. */
  void clusterHealth(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Map<String, Object> byGroup = new TreeMap<>();
    for (String group : pk.health().groups()) {
      byGroup.put(group, pk.health().reports(group));
    }
    send(ctx, byGroup);
  }

  /** {@code GET .../config/scopes}: the scopes that hold configuration, with their versions. */
  void scopes(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Configuration config = pk.config();
    List<Object> scopes = new ArrayList<>();
    for (Scope scope : config.scopes()) {
      scopes.add(Map.of("scope", scope.path(), "version", config.version(scope)));
    }
    send(ctx, scopes);
  }

  /** {@code GET .../config?scope=S}: the scope's keys; unreadable nodes are listed as skipped. */
  void configListing(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Scope scope = scope(ctx);
    Configuration config = pk.config();
    int version = config.version(scope);
    send(ctx, Views.configListing(scope, version, config.listing(scope)));
  }

  /** {@code GET .../config/keys/{key}?scope=S}. */
  void configEntry(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Scope scope = scope(ctx);
    String key = ConfigKeys.check(ctx.pathParam("key"));
    ConfigEntry entry =
        pk.config()
            .get(scope, key)
            .orElseThrow(() -> new NotFoundException("config " + scope + " has no key " + key));
    send(ctx, Views.configEntry(scope, key, entry));
  }

  /** {@code GET .../config/keys/{key}/history?scope=S}. */
  void configHistory(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Scope scope = scope(ctx);
    String key = ConfigKeys.check(ctx.pathParam("key"));
    Configuration config = pk.config();
    send(
        ctx,
        Views.configHistory(scope, key, config.history(scope, key), config.isSecret(scope, key)));
  }

  /** {@code GET .../alerts?state=S}: the live alerts. */
  void alerts(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Optional<AlertState> only = state(ctx);
    send(ctx, Views.alerts(filter(pk.alerts().active(), only)));
  }

  /** {@code GET .../alerts/history?limit=N&state=S}: the latest recorded transitions. */
  void alertHistory(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Optional<AlertState> only = state(ctx);
    int limit = DEFAULT_HISTORY;
    String given = ctx.queryParam("limit");
    if (given != null) {
      try {
        limit = Integer.parseInt(given.strip());
      } catch (NumberFormatException e) {
        throw new InvalidInputException("limit must be a number, not '" + given + "'");
      }
      if (limit < 1) {
        throw new InvalidInputException("limit must be at least 1, not " + limit);
      }
    }
    send(ctx, Views.alerts(filter(pk.alerts().history(limit), only)));
  }

  /** {@code GET .../alerts/rules}: the rules in force. */
  void rules(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    Optional<ConfigEntry> stored = pk.config().get(Scope.global(), Rules.KEY);
    RuleSet set;
    try {
      set = Rules.inForce(stored.map(ConfigEntry::value));
    } catch (InvalidInputException e) {
      // Written behind Pipekeeper's back: the monitor keeps the rules it had, unknown here.
      throw new PipekeeperException(
          "the stored "
              + Rules.KEY
              + " is not valid, so the monitor keeps its previous rules: "
              + e.getMessage());
    }
    send(ctx, Views.rules(stored, set));
  }

  /** Groups with members, work units or health records, sorted. */
  private List<String> groups() {
    TreeSet<String> groups = new TreeSet<>(pk.inspector().groups());
    groups.addAll(pk.inspector().workGroups());
    groups.addAll(pk.health().groups());
    return List.copyOf(groups);
  }

  /**
   * Checks that {@code name} is this console's cluster and that ZooKeeper is connected now (else
   * 503 at once, rather than after the connection timeout).
   */
  void cluster(String name) {
    Names.check("cluster", name);
    if (!name.equals(pk.cluster())) {
      throw new NotFoundException(
          "no cluster " + name + " here (this console shows " + pk.cluster() + ")");
    }
    if (!pk.connectionState().isConnected()) {
      throw new UnreachableException(
          "ZooKeeper", "cluster " + pk.cluster(), "the connection is " + pk.connectionState());
    }
  }

  /** The group of the path, checked: a known cluster, a valid name, a group that exists. */
  private String group(Context ctx) {
    cluster(ctx.pathParam("cluster"));
    String group = Names.check("group", ctx.pathParam("group"));
    if (!groups().contains(group)) {
      throw new NotFoundException("no group " + group + " in cluster " + pk.cluster());
    }
    return group;
  }

  static Scope scope(Context ctx) {
    String scope = ctx.queryParam("scope");
    return scope == null ? Scope.global() : Scope.parse(scope);
  }

  private static Optional<AlertState> state(Context ctx) {
    String text = ctx.queryParam("state");
    if (text == null) {
      return Optional.empty();
    }
    for (AlertState s : AlertState.values()) {
      if (s.name().equalsIgnoreCase(text.strip())) {
        return Optional.of(s);
      }
    }
    throw new InvalidInputException(
        "state must be firing, pending or resolved, not '" + text + "'");
  }

  private static List<Alert> filter(List<Alert> alerts, Optional<AlertState> only) {
    return only.isEmpty() ? alerts : alerts.stream().filter(a -> a.state() == only.get()).toList();
  }

  private static void send(Context ctx, Object view) {
    ctx.contentType("application/json").result(ViewJson.write(view));
  }
}
