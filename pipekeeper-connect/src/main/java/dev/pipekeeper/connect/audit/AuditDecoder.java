package dev.pipekeeper.connect.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.ClusterPath;
import dev.pipekeeper.core.config.Secrets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the change stream of one cluster's tree ({@code /pipekeeper/CLUSTER}, as the source
 * connector emits it, in ZooKeeper's order) into typed audit events: at most one event per change.
 * It keeps what it needs to know from earlier changes (the contenders of each role, the nodes of
 * each lock, each group's last assignment, which keys are secret, which members announced a
 * graceful leave); snapshot records only feed that state. Not thread-safe: one per task.
 *
 * <p>Events: {@code member.joined}, {@code member.left} (after its {@code members-left} record),
 * {@code member.died} (its node went without one: session expired or process killed), {@code
 * leader.granted} (epoch and the contender it goes to), {@code role.retired}, {@code lock.taken}
 * and {@code lock.released} (owner and fencing token; a release says who took the lock next),
 * {@code assignment.published} (generation, epoch, leader and the units that moved), {@code
 * config.changed} (who, comment, old and new value, masked if the key is secret), {@code
 * alert.firing} / {@code alert.resolved}, and {@code unreadable} for a node Pipekeeper would have
 * written whose data is not what it writes (a node written behind its back), naming the path.
 */
public final class AuditDecoder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String cluster;
  private final Map<String, Integer> leaving = new HashMap<>();
  private final Map<String, TreeMap<String, String>> contenders = new HashMap<>();
  private final Map<String, TreeMap<String, LockNode>> locks = new HashMap<>();
  private final Map<String, Map<String, String>> assignments = new HashMap<>();
  private final Set<String> secretMarkers = new HashSet<>();
  private final Map<String, Set<String>> secretSchemas = new HashMap<>();

  /** One change as the source connector reports it. */
  public record Change(
      String path, String change, String data, long czxid, long mzxid, long timestamp) {
    boolean snapshot() {
      return "SNAPSHOT".equals(change);
    }

    boolean created() {
      return "CREATED".equals(change);
    }

    boolean deleted() {
      return "DELETED".equals(change);
    }
  }

  /** A decoded event: its type, what it is about ({@code member/GROUP/ID}, ...) and its fields. */
  public record Event(String type, String subject, Map<String, Object> fields) {}

  private record LockNode(String owner, long token, boolean write) {}

  public AuditDecoder(String cluster) {
    this.cluster = cluster;
  }

  /** The event {@code change} makes, if any; every change updates what the decoder knows. */
  public Optional<Event> decode(Change change) {
    Optional<ClusterPath> parsed = ClusterPath.parse(cluster, change.path());
    if (parsed.isEmpty() || change.change() == null) {
      return Optional.empty();
    }
    ClusterPath path = parsed.get();
    try {
      return switch (path.kind()) {
        case MEMBER -> member(path, change);
        case MEMBER_LEFT -> memberLeft(path, change);
        case LEADER_CONTENDER -> contender(path, change);
        case EPOCH -> epoch(path, change);
        case LOCK_NODE -> lock(path, change);
        case ASSIGNMENT -> assignment(path, change);
        case CONFIG_SECRET -> secretMarker(path, change);
        case CONFIG_SCHEMA -> schema(path, change);
        case CONFIG_HISTORY_ENTRY -> configChange(path, change);
        case ALERT_TRANSITION -> alert(path, change);
        case OTHER -> Optional.empty();
      };
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.of(
          event(
              "unreadable",
              change.path(),
              change,
              "path",
              change.path(),
              "reason",
              e instanceof JsonProcessingException json
                  ? "not JSON: " + json.getOriginalMessage()
                  : e.getMessage()));
    }
  }

  private Optional<Event> member(ClusterPath path, Change change) {
    String subject = "member/" + path.name() + "/" + path.item();
    if (change.created()) {
      return Optional.of(
          event("member.joined", subject, change, "group", path.name(), "member", path.item()));
    }
    if (change.deleted()) {
      String key = path.name() + "/" + path.item();
      Integer left = leaving.get(key);
      if (left != null) {
        if (left <= 1) {
          leaving.remove(key);
        } else {
          leaving.put(key, left - 1);
        }
      }
      String type = left != null ? "member.left" : "member.died";
      return Optional.of(event(type, subject, change, "group", path.name(), "member", path.item()));
    }
    return Optional.empty();
  }

  private Optional<Event> memberLeft(ClusterPath path, Change change) {
    int at = path.item().lastIndexOf('@');
    if (change.created() && at > 0) {
      leaving.merge(path.name() + "/" + path.item().substring(0, at), 1, Integer::sum);
    }
    return Optional.empty();
  }

  private Optional<Event> contender(ClusterPath path, Change change) {
    TreeMap<String, String> nodes =
        contenders.computeIfAbsent(path.name(), role -> new TreeMap<>(BY_SEQUENCE));
    if (change.deleted()) {
      nodes.remove(path.item());
    } else {
      nodes.put(path.item(), change.data() == null ? "" : change.data());
    }
    return Optional.empty();
  }

  private Optional<Event> epoch(ClusterPath path, Change change) {
    String subject = "role/" + path.name();
    if (change.deleted()) {
      return Optional.of(event("role.retired", subject, change, "role", path.name()));
    }
    if (change.snapshot() || change.data() == null) {
      return Optional.empty();
    }
    long epoch = Long.parseLong(change.data().strip());
    TreeMap<String, String> nodes = contenders.getOrDefault(path.name(), new TreeMap<>());
    String leader = nodes.isEmpty() ? null : nodes.firstEntry().getValue();
    return Optional.of(
        event(
            "leader.granted",
            subject,
            change,
            "role",
            path.name(),
            "epoch",
            epoch,
            "leader",
            leader));
  }

  private Optional<Event> lock(ClusterPath path, Change change) throws JsonProcessingException {
    TreeMap<String, LockNode> nodes =
        locks.computeIfAbsent(path.name(), lock -> new TreeMap<>(BY_SEQUENCE));
    List<String> before = holders(nodes);
    if (change.deleted()) {
      LockNode gone = nodes.remove(path.item());
      if (gone == null || !before.contains(path.item())) {
        return Optional.empty(); // a waiter gave up, or a node the decoder never saw
      }
      List<Map<String, Object>> next = new ArrayList<>();
      for (String holder : holders(nodes)) {
        if (!before.contains(holder)) {
          next.add(holderFields(nodes.get(holder)));
        }
      }
      return Optional.of(
          event(
              "lock.released",
              "lock/" + path.name(),
              change,
              "lock",
              path.name(),
              "owner",
              gone.owner(),
              "token",
              gone.token(),
              "takenBy",
              next));
    }
    String owner = null;
    if (change.data() != null && !change.data().isBlank()) {
      JsonNode data = JSON.readTree(change.data());
      owner = data.path("owner").isTextual() ? data.path("owner").asText() : data.toString();
    }
    boolean write = !path.item().contains("__READ__");
    nodes.put(path.item(), new LockNode(owner, change.czxid(), write));
    if (change.snapshot() || !change.created() || !holders(nodes).contains(path.item())) {
      return Optional.empty();
    }
    return Optional.of(
        event(
            "lock.taken",
            "lock/" + path.name(),
            change,
            "lock",
            path.name(),
            "owner",
            owner,
            "token",
            change.czxid(),
            "mode",
            path.item().contains("__READ__") ? "read" : "write"));
  }

  /**
   * Curator's lock holders: the first node if it is a write lock, else the reads before a write.
   */
  private static List<String> holders(TreeMap<String, LockNode> nodes) {
    List<String> holders = new ArrayList<>();
    for (Map.Entry<String, LockNode> node : nodes.entrySet()) {
      if (node.getValue().write()) {
        if (holders.isEmpty()) {
          holders.add(node.getKey());
        }
        break;
      }
      holders.add(node.getKey());
    }
    return holders;
  }

  private static Map<String, Object> holderFields(LockNode node) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("owner", node.owner());
    fields.put("token", node.token());
    return fields;
  }

  private Optional<Event> assignment(ClusterPath path, Change change)
      throws JsonProcessingException {
    if (change.deleted() || change.data() == null) {
      assignments.remove(path.name());
      return Optional.empty();
    }
    JsonNode data = JSON.readTree(change.data());
    Map<String, String> owners = new TreeMap<>();
    data.path("owners").properties().forEach(e -> owners.put(e.getKey(), e.getValue().asText()));
    Map<String, String> previous = assignments.put(path.name(), owners);
    if (change.snapshot()) {
      return Optional.empty();
    }
    List<Map<String, Object>> moves = new ArrayList<>();
    Set<String> units = new java.util.TreeSet<>(owners.keySet());
    if (previous != null) {
      units.addAll(previous.keySet());
    }
    for (String unit : units) {
      String from = previous == null ? null : previous.get(unit);
      String to = owners.get(unit);
      if (!java.util.Objects.equals(from, to)) {
        Map<String, Object> move = new LinkedHashMap<>();
        move.put("unit", unit);
        move.put("from", from);
        move.put("to", to);
        moves.add(move);
      }
    }
    return Optional.of(
        event(
            "assignment.published",
            "assignment/" + path.name(),
            change,
            "group",
            path.name(),
            "generation",
            data.path("generation").asLong(),
            "epoch",
            data.path("epoch").asLong(),
            "leader",
            data.path("leader").asText(null),
            "units",
            owners.size(),
            "previousKnown",
            previous != null,
            "moves",
            moves));
  }

  private Optional<Event> secretMarker(ClusterPath path, Change change) {
    if (change.deleted()) {
      secretMarkers.remove(path.item());
    } else {
      secretMarkers.add(path.item());
    }
    return Optional.empty();
  }

  private Optional<Event> schema(ClusterPath path, Change change) throws JsonProcessingException {
    Set<String> scopes = secretSchemas.computeIfAbsent(path.item(), key -> new HashSet<>());
    if (change.deleted() || change.data() == null || change.data().isBlank()) {
      scopes.remove(path.name());
    } else if (Secrets.isSecret(JSON.readTree(change.data()))) {
      scopes.add(path.name());
    } else {
      scopes.remove(path.name());
    }
    return Optional.empty();
  }

  /** The core's rule: secret in every scope once marked, or once any scope's schema says so. */
  private boolean secret(String key) {
    return secretMarkers.contains(key) || !secretSchemas.getOrDefault(key, Set.of()).isEmpty();
  }

  private Optional<Event> configChange(ClusterPath path, Change change)
      throws JsonProcessingException {
    if (!change.created() || change.data() == null) {
      return Optional.empty();
    }
    JsonNode data = JSON.readTree(change.data());
    boolean secret = secret(path.item());
    String child = path.child();
    return Optional.of(
        event(
            "config.changed",
            "config/" + path.name() + "/" + path.item(),
            change,
            "scope",
            path.name(),
            "key",
            path.item(),
            "sequence",
            Integer.parseInt(child.substring(child.lastIndexOf('-') + 1)),
            "who",
            data.path("who").asText(null),
            "comment",
            data.path("comment").asText(""),
            "old",
            value(data.get("oldValue"), secret),
            "new",
            value(data.get("newValue"), secret),
            "secret",
            secret,
            "scopeVersion",
            data.path("scopeVersion").asInt()));
  }

  /** A config value as JSON text, masked if secret; null for none. */
  private static String value(JsonNode value, boolean secret) {
    if (value == null || value.isNull()) {
      return null;
    }
    return secret ? Secrets.MASK : value.toString();
  }

  private Optional<Event> alert(ClusterPath path, Change change) throws JsonProcessingException {
    if (!change.created() || change.data() == null) {
      return Optional.empty();
    }
    JsonNode data = JSON.readTree(change.data());
    String state = data.path("state").asText("");
    if (state.isEmpty() || data.path("key").isMissingNode()) {
      throw new IllegalArgumentException("not an alert: no key or state");
    }
    Map<String, Object> labels = new TreeMap<>();
    data.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return Optional.of(
        event(
            "alert." + state.toLowerCase(java.util.Locale.ROOT),
            "alert/" + data.path("key").asText(),
            change,
            "key",
            data.path("key").asText(),
            "rule",
            data.path("rule").asText(null),
            "severity",
            data.path("severity").asText(null),
            "summary",
            data.path("summary").asText(null),
            "labels",
            labels,
            "epoch",
            data.path("epoch").asLong()));
  }

  private Event event(String type, String subject, Change change, Object... fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("type", type);
    all.put("cluster", cluster);
    all.put("subject", subject);
    all.put("time", Instant.ofEpochMilli(change.timestamp()).toString());
    all.put("zxid", change.mzxid());
    for (int i = 0; i < fields.length; i += 2) {
      all.put((String) fields[i], fields[i + 1]);
    }
    return new Event(type, subject, all);
  }

  /** Sequential node names by their sequence suffix (Curator prefixes a random part). */
  private static final Comparator<String> BY_SEQUENCE =
      Comparator.comparing(AuditDecoder::sequence).thenComparing(Comparator.naturalOrder());

  private static String sequence(String name) {
    int digits = 0;
    for (int i = name.length() - 1; i >= 0 && Character.isDigit(name.charAt(i)); i--) {
      digits++;
    }
    return digits == 0 ? name : name.substring(name.length() - digits);
  }
}
