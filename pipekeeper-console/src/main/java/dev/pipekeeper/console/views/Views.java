package dev.pipekeeper.console.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pipekeeper.core.assignment.AssignmentStatus;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigListing;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import dev.pipekeeper.core.membership.MemberListing;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertCodec;
import dev.pipekeeper.core.monitor.RuleSet;
import dev.pipekeeper.core.monitor.Rules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON views of what a cluster holds, as operators see them: the one home of what the CLI's
 * {@code --json} prints and what the console serves. Records the core already shapes for display
 * ({@code MemberRecord}, {@code RoleInfo}, {@code LockInfo}, {@code WorkUnit}, {@code
 * HealthReport}) are written as they are by {@link ViewJson}; the views here are those built from
 * several parts. Secret values are always masked ({@link #value}).
 */
public final class Views {
  /** What a secret value shows as: the string {@code "******"} ({@link Secrets#MASK}). */
  public static final JsonNode MASKED =
      ViewJson.read(Secrets.MASK.getBytes(StandardCharsets.UTF_8));

  private Views() {}

  /** A value as shown: masked if secret, JSON null if absent. */
  public static JsonNode value(JsonNode value, boolean secret) {
    if (value == null) {
      return NullNode.getInstance();
    }
    return secret ? MASKED : value;
  }

  /**
   * A member as the console shows it: its record, and what configuration it acknowledged applying
   * ({@code appliedConfig}: scope versions, last-known-good keys, when; null if it never did), so
   * that members on different versions stand out.
   */
  public static Map<String, Object> member(MemberRecord member, Optional<AppliedConfig> applied) {
    Map<String, Object> json = new LinkedHashMap<>();
    ViewJson.tree(member).properties().forEach(field -> json.put(field.getKey(), field.getValue()));
    json.put("appliedConfig", applied.orElse(null));
    return json;
  }

  /**
   * A group's members ({@link #member} each, with the config each applied from {@code applied}, by
   * member id) and the member nodes kept out as no member record, one item each with the reason.
   */
  public static Map<String, Object> members(
      MemberListing listing, Map<String, AppliedConfig> applied) {
    List<Object> members = new ArrayList<>();
    for (MemberRecord member : listing.members()) {
      members.add(member(member, Optional.ofNullable(applied.get(member.id()))));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("group", listing.group());
    json.put("members", members);
    json.put("skipped", listing.skipped());
    return json;
  }

  /** One key of a scope ({@code config get}): value masked if secret, version, modification. */
  public static Map<String, Object> configEntry(Scope scope, String key, ConfigEntry entry) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("scope", scope.path());
    document.put("key", key);
    document.put("value", value(entry.value(), entry.secret()));
    document.put("secret", entry.secret());
    document.put("version", entry.version());
    document.put("modifiedAt", entry.modifiedAt());
    return document;
  }

  /**
   * A scope's keys ({@code config list}): its version, the readable entries, and the nodes written
   * behind Pipekeeper's back that were skipped, one item each with the reason.
   */
  public static Map<String, Object> configListing(Scope scope, int version, ConfigListing listing) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (ConfigEntry entry : listing.entries()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("key", entry.key());
      one.put("value", value(entry.value(), entry.secret()));
      one.put("secret", entry.secret());
      one.put("version", entry.version());
      one.put("modifiedAt", entry.modifiedAt());
      entries.add(one);
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("scope", scope.path());
    document.put("version", version);
    document.put("entries", entries);
    List<Map<String, Object>> skipped = new ArrayList<>();
    for (ConfigListing.Skipped node : listing.skipped()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("name", node.name());
      one.put("reason", node.reason());
      skipped.add(one);
    }
    document.put("skipped", skipped);
    return document;
  }

  /** A key's recorded changes ({@code config history}), oldest first, values masked if secret. */
  public static Map<String, Object> configHistory(
      Scope scope, String key, List<HistoryEntry> history, boolean secret) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (HistoryEntry entry : history) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("sequence", entry.sequence());
      one.put("at", entry.at());
      one.put("who", entry.who());
      one.put("oldValue", value(entry.oldValue().orElse(null), secret));
      one.put("newValue", value(entry.newValue().orElse(null), secret));
      one.put("comment", entry.comment());
      one.put("scopeVersion", entry.scopeVersion());
      entries.add(one);
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("scope", scope.path());
    document.put("key", key);
    document.put("secret", secret);
    document.put("entries", entries);
    return document;
  }

  /** A commit: the scope, its version after it, the keys it changed. */
  public static Map<String, Object> commit(ConfigCommit commit) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("scope", commit.scope().path());
    json.put("scopeVersion", commit.scopeVersion());
    json.put("changed", commit.keys());
    return json;
  }

  /**
   * A group's assignment ({@code assignments}): generation, epoch and leader of the published one
   * (null generation if none yet), assigned and actual owners, moves under way, the units no member
   * can take, and the drained members.
   */
  public static Map<String, Object> assignment(AssignmentStatus status) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("group", status.group());
    status
        .assignment()
        .ifPresentOrElse(
            a -> {
              json.put("generation", a.generation());
              json.put("epoch", a.epoch());
              json.put("leader", a.leader());
              json.put("publishedAt", a.at());
              json.put("assigned", a.owners());
            },
            () -> {
              json.put("generation", null);
              json.put("assigned", Map.of());
            });
    json.put("owners", status.owners());
    json.put("pendingMoves", status.pendingMoves());
    json.put("unassigned", status.unassigned());
    json.put("drained", status.drained());
    return json;
  }

  /** Alerts, each exactly as {@link AlertCodec} writes it (and reads it back). */
  public static List<JsonNode> alerts(List<Alert> alerts) {
    return alerts.stream().map(a -> ViewJson.read(AlertCodec.toJson(a))).toList();
  }

  /**
   * The rules in force ({@code alerts --rules}): where they come from ({@link Rules#KEY} with its
   * version, or the defaults), the rules, and the defaults replaced or switched off.
   */
  public static Map<String, Object> rules(Optional<ConfigEntry> stored, RuleSet set) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("source", stored.isPresent() ? Rules.KEY : "defaults");
    stored.ifPresent(e -> document.put("version", e.version()));
    stored.ifPresent(e -> document.put("modifiedAt", e.modifiedAt()));
    document.put("rules", Rules.toJson(set.rules()));
    document.put("replacedDefaults", set.replaced());
    document.put("disabledDefaults", set.disabled());
    return document;
  }
}
