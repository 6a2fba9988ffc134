package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.ConfigListing;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import dev.pipekeeper.core.config.UnreadableConfigException;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads stored config: keys, listings, versions, history, schemas, secrecy and what members
 * applied, for {@link DefaultConfiguration} and its writers; and the decoding of stored bytes and
 * the read-only multis that read several nodes at one point in time, which {@link
 * DefaultConfigView} shares. A node written behind Pipekeeper's back is kept out (or reported as
 * unreadable), never passed on.
 */
final class ConfigReader {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReader.class);

  private final Session session;

  ConfigReader(Session session) {
    this.session = session;
  }

  CuratorFramework client() {
    return session.client();
  }

  Session session() {
    return session;
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#get}. */
  Optional<ConfigEntry> get(Scope scope, String key) {
    ConfigKeys.check(key);
    Stat stat = new Stat();
    byte[] data;
    try {
      data = client().getData().storingStatIn(stat).forPath(ZkLayout.configKey(scope.path(), key));
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading config " + scope + " " + key, e);
    }
    Optional<JsonNode> value = readable(data);
    if (value.isEmpty()) {
      throw new UnreadableConfigException(
          "config "
              + scope
              + " "
              + key
              + " holds "
              + unreadable(data)
              + " (written behind Pipekeeper's back); it is kept out: set the key again or delete"
              + " it");
    }
    return Optional.of(entry(key, value.get(), stat, isSecret(scope, key)));
  }

  private static ConfigEntry entry(String key, JsonNode value, Stat stat, boolean secret) {
    return new ConfigEntry(
        key, value, stat.getVersion(), Instant.ofEpochMilli(stat.getMtime()), secret);
  }

  /** Stored bytes as JSON, or (written behind our back) as a JSON string of the raw text. */
  static JsonNode parseOrRaw(byte[] data) {
    try {
      return Json.readTree(data);
    } catch (IOException e) {
      return TextNode.valueOf(new String(data, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** A stored value as JSON; empty if it is not JSON or empty (written behind our back). */
  static Optional<JsonNode> readable(byte[] data) {
    return Optional.ofNullable(decode(data).value());
  }

  /**
   * What stored bytes hold: a JSON value, or (written behind our back) why not, as a view says it
   * ({@code "is empty"}, {@code "is not valid JSON"}), never quoting them (they may be a secret).
   */
  record Decoded(JsonNode value, String problem) {}

  /** Stored bytes as JSON (see {@link Decoded}). */
  static Decoded decode(byte[] data) {
    if (data == null || data.length == 0) {
      return new Decoded(null, "is empty");
    }
    try {
      JsonNode value = Json.readTree(data);
      return value == null || value.isMissingNode()
          ? new Decoded(null, "is empty")
          : new Decoded(value, null);
    } catch (IOException e) {
      return new Decoded(null, "is not valid JSON");
    }
  }

  /**
   * A stored schema as JSON; empty, logged, if it is not JSON (written behind our back): a schema
   * that cannot be read checks nothing.
   */
  static Optional<JsonNode> decodeSchema(Scope scope, String key, byte[] data) {
    try {
      return Optional.of(Json.readTree(data));
    } catch (IOException e) {
      LOG.warn("schema of {} {} is not JSON; ignoring it: {}", scope, key, e.getMessage());
      return Optional.empty();
    }
  }

  /** Whether a name found in a scope's folder is a config key (else: written behind our back). */
  static boolean isKeyName(String name) {
    try {
      ConfigKeys.check(name);
      return true;
    } catch (InvalidInputException foreign) {
      return false;
    }
  }

  /** The names in a scope's folder but its commit node, sorted: keys and foreign nodes. */
  static List<String> keyNames(List<String> children) {
    return children.stream().filter(name -> !name.equals(ZkLayout.COMMIT)).sorted().toList();
  }

  /** What an unreadable value is, for messages that never quote it (it may be a secret). */
  static String unreadable(byte[] data) {
    return data == null || data.length == 0 ? "an empty value" : "a value that is not valid JSON";
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#listing}. */
  ConfigListing listing(Scope scope) {
    List<ConfigEntry> entries = new ArrayList<>();
    List<ConfigListing.Skipped> skipped = new ArrayList<>();
    Set<String> marked = marked();
    Set<String> schemas = new HashSet<>(children(ZkLayout.configSchemas(scope.path())));
    Set<String> globalSchemas =
        scope.kind() == Scope.Kind.GLOBAL
            ? schemas
            : new HashSet<>(children(ZkLayout.configSchemas(Scope.global().path())));
    for (String name : keys(scope)) {
      if (!isKeyName(name)) {
        skipped.add(new ConfigListing.Skipped(name, "not a config key name"));
        continue;
      }
      Stat stat = new Stat();
      byte[] data;
      try {
        data =
            client().getData().storingStatIn(stat).forPath(ZkLayout.configKey(scope.path(), name));
      } catch (KeeperException.NoNodeException deleted) {
        continue; // deleted since it was listed
      } catch (KeeperException.NoAuthException secret) {
        skipped.add(
            new ConfigListing.Skipped(name, "not readable with this connection's credentials"));
        continue;
      } catch (Exception e) {
        throw session.failure("reading config " + scope + " " + name, e);
      }
      Optional<JsonNode> value = readable(data);
      if (value.isEmpty()) {
        skipped.add(new ConfigListing.Skipped(name, "holds " + unreadable(data)));
        continue;
      }
      boolean secret =
          marked.contains(name)
              || SecretMarkers.isSecretBySchema(
                  scope,
                  name,
                  (s, k) ->
                      (s.kind() == Scope.Kind.GLOBAL ? globalSchemas : schemas).contains(k)
                          ? schema(s, k)
                          : Optional.empty());
      entries.add(entry(name, value.get(), stat, secret));
    }
    if (!skipped.isEmpty()) {
      LOG.debug("config {}: skipped nodes written behind Pipekeeper's back: {}", scope, skipped);
    }
    return new ConfigListing(scope, entries, skipped);
  }

  /** The names under a scope's folder but its commit node, sorted: keys and foreign nodes. */
  List<String> keys(Scope scope) {
    return keyNames(children(ZkLayout.config(scope.path())));
  }

  /** The keys with a secret marker (see {@link SecretMarkers}). */
  Set<String> marked() {
    return new HashSet<>(children(ZkLayout.CONFIG_SECRET));
  }

  /** Whether {@code key} is secret in {@code scope} (see {@link Secrets}). */
  boolean isSecret(Scope scope, String key) {
    ConfigKeys.check(key);
    try {
      if (client().checkExists().forPath(ZkLayout.configSecret(key)) != null) {
        return true;
      }
    } catch (Exception e) {
      throw session.failure("reading whether " + key + " is secret", e);
    }
    return SecretMarkers.isSecretBySchema(scope, key, this::schema);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#version}. */
  int version(Scope scope) {
    try {
      Stat stat = client().checkExists().forPath(ZkLayout.configCommit(scope.path()));
      return scopeVersion(stat);
    } catch (Exception e) {
      throw session.failure("reading the version of " + scope, e);
    }
  }

  /** A scope's version from the stat of its commit node (null: none yet, version 0). */
  static int scopeVersion(Stat commit) {
    return commit == null ? 0 : commit.getVersion() + 1;
  }

  List<String> children(String path) {
    return session.children(path);
  }

  /**
   * Reads several nodes, then the children of each of {@code folders}, in one read-only multi
   * (ZooKeeper 3.6+), so they are seen at one point in time; a missing node gives an error result
   * in its place.
   */
  List<OpResult> readAll(List<String> paths, List<String> folders) throws Exception {
    List<Op> ops = readOps(paths, folders);
    return RetryLoop.callWithRetry(
        client().getZookeeperClient(),
        () -> client().getZookeeperClient().getZooKeeper().multi(ops));
  }

  /**
   * Sends the read-only multi of {@link #readAll} without waiting and without retries; {@code
   * replied} gets its results (in the same order) on ZooKeeper's event thread.
   *
   * @throws Exception if it could not be sent (no connection)
   */
  void readAllAsync(List<String> paths, List<String> folders, AsyncCallback.MultiCallback replied)
      throws Exception {
    client().getZookeeperClient().getZooKeeper().multi(readOps(paths, folders), replied, null);
  }

  private List<Op> readOps(List<String> paths, List<String> folders) {
    String namespace = "/" + client().getNamespace();
    List<Op> ops = new ArrayList<>();
    paths.forEach(path -> ops.add(Op.getData(namespace + path)));
    folders.forEach(folder -> ops.add(Op.getChildren(namespace + folder)));
    return ops;
  }

  /** Whether a multi read was refused for lack of permission (a secret, without the role). */
  static boolean isNoAuth(OpResult result) {
    return result instanceof OpResult.ErrorResult error
        && error.getErr() == KeeperException.Code.NOAUTH.intValue();
  }

  /** The stat of a node a multi read, or null if it is missing. */
  static Stat statOf(OpResult result) {
    return result instanceof OpResult.GetDataResult data ? data.getStat() : null;
  }

  /** The children of a folder a multi read; none if it is missing. */
  static List<String> childrenOf(OpResult result) {
    return result instanceof OpResult.GetChildrenResult children
        ? children.getChildren()
        : List.of();
  }

  // ---- history ----

  /** See {@link dev.pipekeeper.core.config.Configuration#history}. */
  List<HistoryEntry> history(Scope scope, String key) {
    ConfigKeys.check(key);
    String path = ZkLayout.configHistory(scope.path(), key);
    List<HistoryEntry> entries = new ArrayList<>();
    for (String name : children(path).stream().sorted().toList()) {
      try {
        HistoryRecord record =
            Json.read(client().getData().forPath(path + "/" + name), HistoryRecord.class);
        entries.add(
            new HistoryEntry(
                key,
                Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)),
                record.who(),
                record.at(),
                Optional.ofNullable(record.oldValue()).filter(v -> !v.isNull()),
                Optional.ofNullable(record.newValue()).filter(v -> !v.isNull()),
                record.comment() == null ? "" : record.comment(),
                record.scopeVersion()));
      } catch (KeeperException.NoNodeException pruned) {
        // pruned between the listing and the read
      } catch (IOException | NumberFormatException e) {
        LOG.warn("skipping malformed history entry {}/{}: {}", path, name, e.getMessage());
      } catch (Exception e) {
        throw session.failure("reading the history of " + scope + " " + key, e);
      }
    }
    return entries;
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#schema}. */
  Optional<JsonNode> schema(Scope scope, String key) {
    ConfigKeys.check(key);
    try {
      return decodeSchema(
          scope, key, client().getData().forPath(ZkLayout.configSchema(scope.path(), key)));
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading the schema of " + scope + " " + key, e);
    }
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#applied}. */
  Map<String, AppliedConfig> applied() {
    Map<String, AppliedConfig> applied = new TreeMap<>();
    for (String member : children(ZkLayout.CONFIG_APPLIED)) {
      try {
        applied.put(
            member,
            Json.read(
                client().getData().forPath(ZkLayout.CONFIG_APPLIED + "/" + member),
                AppliedConfig.class));
      } catch (KeeperException.NoNodeException gone) {
        // the member left
      } catch (IOException e) {
        LOG.warn("skipping malformed applied record of {}: {}", member, e.getMessage());
      } catch (Exception e) {
        throw session.failure("reading applied config", e);
      }
    }
    return applied;
  }
}
