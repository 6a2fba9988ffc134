package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.ConfigListing;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.UnreadableConfigException;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Registry;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.text.NumberFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration stored as one JSON node per key under {@code config/SCOPE}, changed only through
 * multi-ops that also write the scope's commit node and the keys' history entries.
 */
public final class DefaultConfiguration implements Configuration {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultConfiguration.class);

  private final Session session;
  private final Registry registry;
  private final int valueLimitBytes;
  private final int historyLimit;
  private final SecretMarkers secrets;

  /** Bounds on what a writer keeps of its last writes (see {@link #written}). */
  private static final int WRITTEN_SCOPES = 256;

  private static final int WRITTEN_KEYS = 1_000;

  /**
   * How often {@link #ensureSchema} and {@link #setIfAbsent} read again and retry after a conflict.
   * A conflict means another writer's change landed, so instances installing the same thing
   * converge in a few rounds; the bound only stops a writer that is outrun for ever.
   */
  private static final int ENSURE_ATTEMPTS = 100;

  /**
   * What a change's request leaves free of {@code jute.maxbuffer}: the transaction the server logs
   * and sends to its followers is a little larger than the request (a header, a digest, the
   * sequence numbers of sequential nodes, a few bytes per operation).
   */
  static final int REQUEST_MARGIN_BYTES = 8 * 1024;

  private final java.util.Set<String> existingParents =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  public DefaultConfiguration(
      Session session, Registry registry, int valueLimitBytes, int historyLimit) {
    this.session = session;
    this.registry = registry;
    this.valueLimitBytes = valueLimitBytes;
    this.historyLimit = historyLimit;
    this.secrets = new SecretMarkers(this);
  }

  CuratorFramework client() {
    return session.client();
  }

  Session session() {
    return session;
  }

  /** The record written to a scope's commit node. */
  record CommitRecord(String who, Instant at, List<String> keys, String comment) {}

  /** The record of one history entry. */
  record HistoryRecord(
      String who,
      Instant at,
      JsonNode oldValue,
      JsonNode newValue,
      String comment,
      int scopeVersion) {}

  // ---- reads ----

  @Override
  public Optional<ConfigEntry> get(Scope scope, String key) {
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
      return Json.MAPPER.readTree(data);
    } catch (IOException e) {
      return TextNode.valueOf(new String(data, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** A stored value as JSON; empty if it is not JSON or empty (written behind our back). */
  static Optional<JsonNode> readable(byte[] data) {
    if (data == null || data.length == 0) {
      return Optional.empty();
    }
    try {
      JsonNode value = Json.MAPPER.readTree(data);
      return value == null || value.isMissingNode() ? Optional.empty() : Optional.of(value);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** What an unreadable value is, for messages that never quote it (it may be a secret). */
  static String unreadable(byte[] data) {
    return data == null || data.length == 0 ? "an empty value" : "a value that is not valid JSON";
  }

  @Override
  public ConfigListing listing(Scope scope) {
    List<ConfigEntry> entries = new ArrayList<>();
    List<ConfigListing.Skipped> skipped = new ArrayList<>();
    Set<String> marked = secrets.marked();
    Set<String> schemas = new HashSet<>(children(ZkLayout.configSchemas(scope.path())));
    Set<String> globalSchemas =
        scope.kind() == Scope.Kind.GLOBAL
            ? schemas
            : new HashSet<>(children(ZkLayout.configSchemas(Scope.global().path())));
    for (String name : keys(scope)) {
      try {
        ConfigKeys.check(name);
      } catch (InvalidInputException foreign) {
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
    return children(ZkLayout.config(scope.path())).stream()
        .filter(name -> !name.equals(ZkLayout.COMMIT))
        .sorted()
        .toList();
  }

  @Override
  public boolean isSecret(Scope scope, String key) {
    ConfigKeys.check(key);
    return secrets.isSecret(scope, key);
  }

  @Override
  public ConfigCommit reveal(Scope scope, String key, ChangeOptions options) {
    ConfigCommit commit = secrets.reveal(scope, key, options);
    written.remove(scope);
    return commit;
  }

  @Override
  public int version(Scope scope) {
    try {
      Stat stat = client().checkExists().forPath(ZkLayout.configCommit(scope.path()));
      return stat == null ? 0 : stat.getVersion() + 1;
    } catch (Exception e) {
      throw session.failure("reading the version of " + scope, e);
    }
  }

  @Override
  public List<Scope> scopes() {
    return scopesUnder(ZkLayout.CONFIG);
  }

  /**
   * The scopes with a folder under {@code root} ({@code config} or {@code config-schema}); a node
   * there that is no scope name (written behind Pipekeeper's back) is skipped.
   */
  List<Scope> scopesUnder(String root) {
    return ScopeListing.scopes(session, root);
  }

  private List<String> children(String path) {
    return session.children(path);
  }

  // ---- writes ----

  @Override
  public ConfigCommit set(Scope scope, String key, JsonNode value, ChangeOptions options) {
    ConfigKeys.check(key);
    if (value == null || value.isNull()) {
      throw new InvalidInputException(
          "config " + scope + " " + key + ": value is missing; use delete");
    }
    Map<String, JsonNode> one = new LinkedHashMap<>();
    one.put(key, value);
    return write(scope, one, options, Expect.KEY_VERSION);
  }

  @Override
  public ConfigCommit set(Scope scope, String key, Object value, ChangeOptions options) {
    ConfigKeys.check(key);
    return set(scope, key, toJson(scope, key, value), options);
  }

  @Override
  public ConfigCommit setIfAbsent(Scope scope, String key, JsonNode value, ChangeOptions options) {
    ConfigKeys.check(key);
    if (value == null || value.isNull()) {
      throw new InvalidInputException(
          "config " + scope + " " + key + ": value is missing; a key is set to a value");
    }
    if (options.expectedVersion().isPresent()) {
      throw new InvalidInputException(
          "config "
              + scope
              + " "
              + key
              + ": set-if-absent takes no expected version (it writes only while the key is unset)");
    }
    Map<String, JsonNode> one = new LinkedHashMap<>();
    one.put(key, value);
    ConfigConflictException conflict = null;
    for (int attempt = 0; attempt < ENSURE_ATTEMPTS; attempt++) {
      try {
        return write(scope, one, options, Expect.ABSENT);
      } catch (ConfigConflictException e) {
        conflict = e; // another writer's change landed: look again
      }
    }
    throw conflict;
  }

  @Override
  public ConfigCommit setIfAbsent(Scope scope, String key, Object value, ChangeOptions options) {
    ConfigKeys.check(key);
    return setIfAbsent(scope, key, toJson(scope, key, value), options);
  }

  /**
   * A plain Java value as JSON, through Jackson ({@code null} stays null).
   *
   * @throws InvalidInputException naming the key and the type if Jackson cannot convert it
   */
  private static JsonNode toJson(Scope scope, String key, Object value) {
    if (value == null || value instanceof JsonNode) {
      return (JsonNode) value;
    }
    try {
      return Json.MAPPER.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "config "
              + scope
              + " "
              + key
              + ": a "
              + value.getClass().getName()
              + " cannot be written as JSON: "
              + e.getMessage());
    }
  }

  /** Refuses a change whose expected key version (if given) is not the actual one (-1: unset). */
  private static void checkKeyVersion(Scope scope, String key, ChangeOptions options, int actual) {
    if (options.expectedVersion().isPresent() && options.expectedVersion().getAsInt() != actual) {
      throw new ConfigConflictException(
          "config "
              + scope
              + " "
              + key
              + " is at version "
              + (actual < 0 ? "none (not set)" : actual)
              + ", not the expected "
              + options.expectedVersion().getAsInt()
              + "; nothing was written");
    }
  }

  @Override
  public ConfigCommit delete(Scope scope, String key, ChangeOptions options) {
    ConfigKeys.check(key);
    Map<String, JsonNode> one = new LinkedHashMap<>();
    one.put(key, null);
    return write(scope, one, options, Expect.EXISTING_KEY_VERSION);
  }

  @Override
  public ConfigCommit apply(Scope scope, Map<String, JsonNode> changes, ChangeOptions options) {
    if (changes.isEmpty()) {
      throw new InvalidInputException("nothing to apply: the change has no keys");
    }
    return write(scope, changes, options, Expect.SCOPE_VERSION);
  }

  @Override
  public ConfigCommit applyValues(Scope scope, Map<String, ?> changes, ChangeOptions options) {
    Map<String, JsonNode> json = new LinkedHashMap<>();
    for (Map.Entry<String, ?> change : changes.entrySet()) {
      String key = ConfigKeys.check(change.getKey());
      json.put(key, toJson(scope, key, change.getValue()));
    }
    return apply(scope, json, options);
  }

  /** What {@link ChangeOptions#expectedVersion()} refers to, and what must exist beforehand. */
  private enum Expect {
    /** The scope's version ({@code apply}, {@code rollback}). */
    SCOPE_VERSION,
    /** The one key's version, -1 for unset ({@code set}). */
    KEY_VERSION,
    /** The one key's version, and the key must exist ({@code delete}). */
    EXISTING_KEY_VERSION,
    /** No expected version: the one key is written only if it is unset ({@code setIfAbsent}). */
    ABSENT
  }

  private ConfigCommit write(
      Scope scope, Map<String, JsonNode> requested, ChangeOptions options, Expect expect) {
    // 1. Validate everything before reading or writing anything.
    Map<String, byte[]> encoded = new TreeMap<>();
    Map<String, JsonNode> changes = new TreeMap<>();
    for (Map.Entry<String, JsonNode> change : requested.entrySet()) {
      String key = ConfigKeys.check(change.getKey());
      JsonNode value = change.getValue() == null ? NullNode.getInstance() : change.getValue();
      changes.put(key, value);
      if (value.isNull()) {
        continue;
      }
      refuseNonFinite("config " + scope + " " + key + ": the value", value);
      byte[] bytes = Json.write(value);
      if (bytes.length > valueLimitBytes) {
        throw new InvalidInputException(
            "config "
                + scope
                + " "
                + key
                + ": value is "
                + bytes.length
                + " bytes, over the limit of "
                + valueLimitBytes
                + " bytes");
      }
      encoded.put(key, bytes);
    }

    // 2. Write on what this writer knows of the scope from its own last write, if that covers the
    // keys: the multi-op's compare-and-set on the commit node, the keys and the schemas' folder
    // fails if anything changed since, and then the change is made again on a fresh read.
    session.awaitConnected(session.connectionTimeout());
    try {
      ScopeState last = written.get(scope);
      if (last != null && last.keys().keySet().containsAll(changes.keySet())) {
        try {
          Optional<ConfigCommit> commit =
              attempt(scope, changes, encoded, options, expect, last, true);
          if (commit.isPresent()) {
            return commit.get();
          }
        } catch (InvalidInputException | ConfigConflictException stale) {
          // decided on what this writer last wrote, which is not what is there now: read it
        }
        written.remove(scope, last);
      }
      ScopeState now = read(scope, new ArrayList<>(changes.keySet()));
      return attempt(scope, changes, encoded, options, expect, now, false).orElseThrow();
    } catch (InvalidInputException | ConfigConflictException e) {
      throw e;
    } catch (Exception e) {
      throw session.failure("writing config " + scope, e);
    }
  }

  /**
   * What a writer knows of a scope, from a read or from its own last write: the commit node's
   * version (-1: none yet), the version of the schemas' folder, and per key what the change needs.
   */
  private record ScopeState(int commitVersion, int schemasVersion, Map<String, KeyState> keys) {}

  /** One key: its version (-1: unset), value, schema and history entries (oldest first). */
  private record KeyState(int version, JsonNode value, JsonNode schema, List<String> history) {}

  /** Per scope, what this writer's last write left there (checked, never trusted, on use). */
  private final Map<Scope, ScopeState> written = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Reads, at one point in time and in one round trip, the scope version, the version of the
   * schemas' folder, and each key's value, version, schema and history entries.
   */
  private ScopeState read(Scope scope, List<String> keys) throws Exception {
    String schemas = ZkLayout.configSchemas(scope.path());
    ensureFolder(schemas);
    List<String> reads = new ArrayList<>();
    reads.add(ZkLayout.configCommit(scope.path()));
    reads.add(schemas);
    List<String> histories = new ArrayList<>();
    for (String key : keys) {
      reads.add(ZkLayout.configKey(scope.path(), key));
      reads.add(ZkLayout.configSchema(scope.path(), key));
      histories.add(ZkLayout.configHistory(scope.path(), key));
    }
    List<OpResult> all = readAll(reads, histories);
    Stat commit = statOf(all.get(0));
    Stat folder = statOf(all.get(1));
    Map<String, KeyState> states = new TreeMap<>();
    for (int i = 0; i < keys.size(); i++) {
      OpResult value = all.get(2 + 2 * i);
      OpResult schema = all.get(3 + 2 * i);
      List<String> history =
          all.get(reads.size() + i) instanceof OpResult.GetChildrenResult entries
              ? new ArrayList<>(entries.getChildren())
              : new ArrayList<>();
      history.sort(null); // v-0000000042: the sequence sorts as text
      states.put(
          keys.get(i),
          new KeyState(
              value instanceof OpResult.GetDataResult data ? data.getStat().getVersion() : -1,
              value instanceof OpResult.GetDataResult data ? parseOrRaw(data.getData()) : null,
              schema instanceof OpResult.GetDataResult data ? parseOrRaw(data.getData()) : null,
              List.copyOf(history)));
    }
    return new ScopeState(
        commit == null ? -1 : commit.getVersion(),
        folder == null ? -1 : folder.getVersion(),
        states);
  }

  /**
   * Makes the change on {@code state}: checks, then one multi-op of the keys, their history entries
   * (pruning those pushed over the limit), the commit node, and a check of the schemas' folder.
   * Empty if nothing would change but {@code state} is {@code fromLastWrite}, so may be out of
   * date.
   */
  private Optional<ConfigCommit> attempt(
      Scope scope,
      Map<String, JsonNode> changes,
      Map<String, byte[]> encoded,
      ChangeOptions options,
      Expect expect,
      ScopeState state,
      boolean fromLastWrite)
      throws Exception {
    List<String> keys = new ArrayList<>(changes.keySet());
    if (expect != Expect.SCOPE_VERSION) {
      // One key: its expected version is checked against the state the multi-op's
      // compare-and-set is based on, so it cannot change unnoticed in between.
      String key = keys.get(0);
      int version = state.keys().get(key).version();
      if (version < 0 && expect == Expect.EXISTING_KEY_VERSION) {
        throw new InvalidInputException("config " + scope + " has no key " + key);
      }
      if (expect == Expect.ABSENT && version >= 0) {
        // present: nothing to write (from this writer's last write, check that on a read)
        return fromLastWrite
            ? Optional.empty()
            : Optional.of(new ConfigCommit(scope, state.commitVersion() + 1, List.of()));
      }
      checkKeyVersion(scope, key, options, version);
    }
    for (String key : keys) {
      JsonNode value = changes.get(key);
      JsonNode schema = state.keys().get(key).schema();
      if (!value.isNull() && schema != null) {
        List<String> errors = SchemaCheck.errors(schema, value);
        if (!errors.isEmpty()) {
          throw new InvalidInputException(
              "config "
                  + scope
                  + " "
                  + key
                  + ": value does not match its schema: "
                  + String.join("; ", errors));
        }
      }
    }
    int scopeVersion = state.commitVersion() + 1;
    if (expect == Expect.SCOPE_VERSION
        && options.expectedVersion().isPresent()
        && options.expectedVersion().getAsInt() != scopeVersion) {
      throw new ConfigConflictException(
          "config scope "
              + scope
              + " is at version "
              + scopeVersion
              + ", not the expected "
              + options.expectedVersion().getAsInt()
              + "; nothing was written");
    }
    List<CuratorOp> ops = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    Map<String, List<String>> expiredEntries = new TreeMap<>();
    for (String key : keys) {
      String path = ZkLayout.configKey(scope.path(), key);
      KeyState before = state.keys().get(key);
      JsonNode old = before.value();
      JsonNode value = changes.get(key);
      boolean unchanged = value.isNull() ? before.version() < 0 : value.equals(old);
      if (unchanged) {
        // Not a change, not in history (applying the same file twice is not an error). On a
        // writer's own last write, "unchanged" is checked too; "absent" cannot be.
        if (fromLastWrite) {
          if (before.version() < 0) {
            return Optional.empty();
          }
          ops.add(client().transactionOp().check().withVersion(before.version()).forPath(path));
        }
        continue;
      }
      if (value.isNull()) {
        ops.add(client().transactionOp().delete().withVersion(before.version()).forPath(path));
      } else if (before.version() < 0) {
        ensureParent(path);
        ops.add(client().transactionOp().create().forPath(path, encoded.get(key)));
      } else {
        ops.add(
            client()
                .transactionOp()
                .setData()
                .withVersion(before.version())
                .forPath(path, encoded.get(key)));
      }
      changed.add(key);
      expiredEntries.put(
          key,
          historyOps(
              ops,
              scope,
              key,
              before.history(),
              new HistoryRecord(
                  options.who(),
                  Instant.now(),
                  old,
                  value.isNull() ? null : value,
                  options.comment(),
                  scopeVersion + 1)));
    }
    if (changed.isEmpty()) {
      return fromLastWrite
          ? Optional.empty()
          : Optional.of(new ConfigCommit(scope, scopeVersion, List.of()));
    }
    ops.add(
        commitOp(
            scope,
            state.commitVersion(),
            new CommitRecord(options.who(), Instant.now(), changed, options.comment())));
    // the schemas validated against are still the current ones (see setSchema)
    ops.add(
        client()
            .transactionOp()
            .check()
            .withVersion(state.schemasVersion())
            .forPath(ZkLayout.configSchemas(scope.path())));
    checkRequestSize(scope, ops);
    List<CuratorTransactionResult> results;
    try {
      results = client().transaction().forOperations(ops);
    } catch (KeeperException.BadVersionException
        | KeeperException.NodeExistsException
        | KeeperException.NoNodeException e) {
      existingParents.clear(); // a parent may have been deleted: check again next time
      throw new ConfigConflictException(
          "config scope "
              + scope
              + " changed while this change was written (it was at version "
              + scopeVersion
              + "); nothing was written: read it again and retry");
    }
    remember(scope, state, changes, changed, expiredEntries, results);
    LOG.info(
        "config {} version {}: {} changed by {}{}",
        scope,
        scopeVersion + 1,
        changed,
        options.who(),
        options.comment().isEmpty() ? "" : " (" + options.comment() + ")");
    return Optional.of(new ConfigCommit(scope, scopeVersion + 1, changed));
  }

  /** Keeps what a successful multi-op left in the scope, for this writer's next write there. */
  private void remember(
      Scope scope,
      ScopeState state,
      Map<String, JsonNode> changes,
      List<String> changed,
      Map<String, List<String>> expiredEntries,
      List<CuratorTransactionResult> results) {
    Map<String, KeyState> keys = new TreeMap<>(state.keys());
    for (String key : changed) {
      KeyState before = keys.get(key);
      String prefix = ZkLayout.configHistory(scope.path(), key) + "/v-";
      List<String> history = new ArrayList<>(before.history());
      history.removeAll(expiredEntries.get(key));
      results.stream()
          .filter(r -> r.getType() == OperationType.CREATE && r.getForPath().endsWith(prefix))
          .map(r -> r.getResultPath().substring(r.getResultPath().lastIndexOf('/') + 1))
          .forEach(history::add);
      JsonNode value = changes.get(key);
      keys.put(
          key,
          value.isNull()
              ? new KeyState(-1, null, before.schema(), List.copyOf(history))
              : new KeyState(before.version() + 1, value, before.schema(), List.copyOf(history)));
    }
    if (written.size() >= WRITTEN_SCOPES || keys.size() > WRITTEN_KEYS) {
      written.clear(); // a bound, not a policy: a writer that forgets reads before its write
    }
    if (keys.size() <= WRITTEN_KEYS) {
      written.put(scope, new ScopeState(state.commitVersion() + 1, state.schemasVersion(), keys));
    }
  }

  /**
   * Refuses a multi-op larger than one ZooKeeper request may be: a server drops the connection of a
   * client that sends more than its {@code jute.maxbuffer}, and the client's retries are dropped
   * again (while its leases are suspended). The size is the request's own serialization (its
   * operations with their paths, data and ACLs, the chroot each path gets, the headers), against
   * the client's configured {@code jute.maxbuffer} less {@link #REQUEST_MARGIN_BYTES}.
   *
   * @throws InvalidInputException saying how large the change is and what the limit is
   */
  private void checkRequestSize(Scope scope, List<CuratorOp> ops) throws Exception {
    ZKClientConfig clientConfig = client().getZookeeperClient().getZooKeeper().getClientConfig();
    int maxBuffer =
        clientConfig == null
            ? ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT
            : clientConfig.getInt(
                ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
    long limit = (long) maxBuffer - REQUEST_MARGIN_BYTES;
    long size = requestSize(ops.stream().map(CuratorOp::get).toList(), chrootBytes());
    if (size > limit) {
      NumberFormat bytes = NumberFormat.getIntegerInstance(Locale.ROOT);
      throw new InvalidInputException(
          "config "
              + scope
              + ": the change is "
              + bytes.format(size)
              + " bytes as one ZooKeeper transaction (each value is written with its history entry,"
              + " which holds the old and the new value), over the "
              + bytes.format(limit)
              + " bytes one ZooKeeper request may carry (jute.maxbuffer "
              + bytes.format(maxBuffer)
              + " less "
              + bytes.format(REQUEST_MARGIN_BYTES)
              + " for what the server adds); nothing was written: change fewer keys at a time, or"
              + " make the values smaller");
    }
  }

  /** The length in bytes of the chroot the connect string gives every path (0: none). */
  private int chrootBytes() {
    String chroot = new ConnectStringParser(session.connectString()).getChrootPath();
    return chroot == null ? 0 : chroot.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  /**
   * The bytes a multi request of {@code ops} takes on the wire: its length prefix, its request
   * header (xid and type) and the serialized operations, each path longer by {@code chrootBytes}.
   */
  static long requestSize(List<Op> ops, int chrootBytes) {
    long[] count = {0};
    OutputStream counter =
        new OutputStream() {
          @Override
          public void write(int b) {
            count[0]++;
          }

          @Override
          public void write(byte[] b, int off, int len) {
            count[0] += len;
          }
        };
    try {
      new MultiOperationRecord(ops).serialize(BinaryOutputArchive.getArchive(counter), "request");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // counting never fails
    }
    return 4 + 8 + count[0] + (long) ops.size() * chrootBytes;
  }

  /**
   * Refuses a value (or schema) holding a number that is not finite: JSON has none, and Jackson
   * would write {@code Infinity} or {@code NaN} as a string, which every reader then takes for a
   * string. Decimals beyond the range of a double count too: readers see them as infinite.
   *
   * @param what how the message names the value, e.g. "config global num: the value"
   * @throws InvalidInputException saying where the number is
   */
  static void refuseNonFinite(String what, JsonNode value) {
    String[] found = nonFinite(value, "");
    if (found != null) {
      throw new InvalidInputException(
          what
              + (found[1].isEmpty()
                  ? " is not a finite number (" + found[0]
                  : " holds a number that is not a finite number (" + found[0] + " at " + found[1])
              + "); JSON numbers must be finite (at most "
              + Double.MAX_VALUE
              + " either way)");
    }
  }

  /** The first non-finite number in {@code node} and where it is (a JSON pointer), or null. */
  private static String[] nonFinite(JsonNode node, String pointer) {
    if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      String number =
          node.isBigDecimal()
              ? node.decimalValue() + ", beyond the range of a double"
              : String.valueOf(node.doubleValue());
      return new String[] {number, pointer};
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String[] found =
            nonFinite(
                field.getValue(),
                pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1"));
        if (found != null) {
          return found;
        }
      }
    } else if (node.isArray()) {
      Iterator<JsonNode> elements = node.elements();
      for (int i = 0; elements.hasNext(); i++) {
        String[] found = nonFinite(elements.next(), pointer + "/" + i);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /**
   * The one way a change is recorded in a key's history: the sequential entry, and in the same
   * multi-op the deletion of the oldest entries it pushes over the limit (no second write, and a
   * key's history is never over its limit). {@code entries} are the key's entries in order, as read
   * before the change. Returns the entries it deletes.
   */
  List<String> historyOps(
      List<CuratorOp> ops, Scope scope, String key, List<String> entries, HistoryRecord record)
      throws Exception {
    String history = ZkLayout.configHistory(scope.path(), key);
    ensureParent(history + "/v-");
    List<String> expired = entries.subList(0, Math.max(0, entries.size() + 1 - historyLimit));
    for (String name : expired) {
      ops.add(client().transactionOp().delete().forPath(history + "/" + name));
    }
    ops.add(
        client()
            .transactionOp()
            .create()
            .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
            .forPath(history + "/v-", Json.write(record)));
    return expired;
  }

  /**
   * The one way a change of a scope writes its commit node: created at the scope's first change,
   * else set at the version the change was based on ({@code commitVersion}, -1 if there is none),
   * so that concurrent changes of the scope conflict.
   */
  CuratorOp commitOp(Scope scope, int commitVersion, CommitRecord record) throws Exception {
    String commitPath = ZkLayout.configCommit(scope.path());
    byte[] commit = Json.write(record);
    ensureParent(commitPath);
    return commitVersion < 0
        ? client().transactionOp().create().forPath(commitPath, commit)
        : client().transactionOp().setData().withVersion(commitVersion).forPath(commitPath, commit);
  }

  /** Creates the parent of {@code path} if needed; parents known to exist cost nothing. */
  private void ensureParent(String path) throws Exception {
    ensureFolder(path.substring(0, path.lastIndexOf('/')));
  }

  /** Creates {@code parent} if needed; folders known to exist cost nothing. */
  private void ensureFolder(String parent) throws Exception {
    if (existingParents.contains(parent)) {
      return;
    }
    if (client().checkExists().forPath(parent) == null) {
      try {
        client().create().creatingParentsIfNeeded().forPath(parent);
      } catch (KeeperException.NodeExistsException raced) {
        // another writer made it first
      }
    }
    // Parents are persistent and never deleted by Pipekeeper; should an operator delete one,
    // the multi-op fails with NoNode and the writer is told to retry, which re-creates it.
    if (existingParents.size() > 10_000) {
      existingParents.clear();
    }
    existingParents.add(parent);
  }

  /**
   * Reads several nodes, then the children of each of {@code folders}, in one read-only multi
   * (ZooKeeper 3.6+), so they are seen at one point in time; a missing node gives an error result
   * in its place.
   */
  private List<OpResult> readAll(List<String> paths, List<String> folders) throws Exception {
    String namespace = "/" + client().getNamespace();
    List<Op> ops = new ArrayList<>();
    paths.forEach(path -> ops.add(Op.getData(namespace + path)));
    folders.forEach(folder -> ops.add(Op.getChildren(namespace + folder)));
    return RetryLoop.callWithRetry(
        client().getZookeeperClient(),
        () -> client().getZookeeperClient().getZooKeeper().multi(ops));
  }

  private static Stat statOf(OpResult result) {
    return result instanceof OpResult.GetDataResult data ? data.getStat() : null;
  }

  // ---- history ----

  @Override
  public List<HistoryEntry> history(Scope scope, String key) {
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

  @Override
  public ConfigCommit rollback(Scope scope, String key, int sequence, ChangeOptions options) {
    HistoryEntry target =
        history(scope, key).stream()
            .filter(e -> e.sequence() == sequence)
            .findFirst()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "config " + scope + " " + key + " has no history entry " + sequence));
    Map<String, JsonNode> change = new LinkedHashMap<>();
    change.put(key, target.newValue().orElse(null));
    String comment = options.comment().isEmpty() ? "rollback to " + sequence : options.comment();
    return write(
        scope,
        change,
        new ChangeOptions(options.who(), comment, options.expectedVersion()),
        Expect.SCOPE_VERSION);
  }

  // ---- schemas ----

  @Override
  public void setSchema(Scope scope, String key, JsonNode schema) {
    ConfigKeys.check(key);
    checkSchema(scope, key, schema);
    installSchema(scope, key, schema);
  }

  @Override
  public boolean ensureSchema(Scope scope, String key, JsonNode schema) {
    ConfigKeys.check(key);
    checkSchema(scope, key, schema);
    JsonNode wanted = parseOrRaw(Json.write(schema)); // as it reads back once stored
    ConfigConflictException conflict = null;
    for (int attempt = 0; attempt < ENSURE_ATTEMPTS; attempt++) {
      if (schema(scope, key).map(wanted::equals).orElse(false)) {
        return false;
      }
      try {
        installSchema(scope, key, schema);
        return true;
      } catch (ConfigConflictException e) {
        conflict = e; // another writer's change landed (maybe this very schema): look again
      }
    }
    throw conflict;
  }

  /**
   * Refuses what is not a valid JSON Schema (draft 2020-12, checked against its meta-schema).
   *
   * @throws InvalidInputException naming the key and the problems
   */
  private static void checkSchema(Scope scope, String key, JsonNode schema) {
    List<String> problems = SchemaCheck.schemaProblems(schema);
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "schema for " + scope + " " + key + " is not valid: " + String.join("; ", problems));
    }
    refuseNonFinite("schema for " + scope + " " + key, schema);
  }

  /** Stores a checked schema if the key's current value satisfies it. */
  private void installSchema(Scope scope, String key, JsonNode schema) {
    Optional<ConfigEntry> current = get(scope, key);
    if (current.isPresent()) {
      List<String> errors = SchemaCheck.errors(schema, current.get().value());
      if (!errors.isEmpty()) {
        throw new InvalidInputException(
            "schema for "
                + scope
                + " "
                + key
                + " refused: the current value does not match it: "
                + String.join("; ", errors));
      }
    }
    writeSchema(scope, key, Json.write(schema), current.map(ConfigEntry::version).orElse(-1));
  }

  /**
   * Writes or deletes ({@code bytes} null) a key's schema in one multi-op that also bumps the
   * version of the scope's schemas' folder, which config writes check; a schema is set only over
   * the key's version it was checked against ({@code keyVersion}, -1: unset then).
   */
  private void writeSchema(Scope scope, String key, byte[] bytes, int keyVersion) {
    String folder = ZkLayout.configSchemas(scope.path());
    String path = ZkLayout.configSchema(scope.path(), key);
    try {
      ensureFolder(folder);
      boolean exists = client().checkExists().forPath(path) != null;
      if (bytes == null && !exists) {
        return; // nothing to delete
      }
      List<CuratorOp> ops = new ArrayList<>();
      // A writeOnly schema, set or replaced, leaves its key's secret marker (see SecretMarkers)
      secrets
          .forSchemaChange(scope, key, bytes == null ? null : Json.MAPPER.readTree(bytes))
          .ifPresent(ops::add);
      if (bytes == null) {
        ops.add(client().transactionOp().delete().forPath(path));
      } else {
        if (keyVersion >= 0) {
          ops.add(
              client()
                  .transactionOp()
                  .check()
                  .withVersion(keyVersion)
                  .forPath(ZkLayout.configKey(scope.path(), key)));
        }
        ops.add(
            exists
                ? client().transactionOp().setData().forPath(path, bytes)
                : client().transactionOp().create().forPath(path, bytes));
      }
      ops.add(client().transactionOp().setData().forPath(folder, new byte[0]));
      checkRequestSize(scope, ops);
      client().transaction().forOperations(ops);
      written.remove(scope);
    } catch (InvalidInputException e) {
      throw e;
    } catch (KeeperException.BadVersionException
        | KeeperException.NodeExistsException
        | KeeperException.NoNodeException e) {
      existingParents.clear();
      throw new ConfigConflictException(
          "the schema of "
              + scope
              + " "
              + key
              + " or its value changed while it was written; nothing was written: retry");
    } catch (Exception e) {
      throw session.failure(
          (bytes == null ? "deleting" : "writing") + " the schema of " + scope + " " + key, e);
    }
  }

  @Override
  public Optional<JsonNode> schema(Scope scope, String key) {
    ConfigKeys.check(key);
    try {
      return Optional.of(
          Json.MAPPER.readTree(
              client().getData().forPath(ZkLayout.configSchema(scope.path(), key))));
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("schema of {} {} is not JSON; ignoring it: {}", scope, key, e.getMessage());
      return Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading the schema of " + scope + " " + key, e);
    }
  }

  @Override
  public void deleteSchema(Scope scope, String key) {
    ConfigKeys.check(key);
    writeSchema(scope, key, null, -1);
  }

  // ---- views ----

  @Override
  public ConfigView view(List<Scope> scopes) {
    return open(scopes, null);
  }

  @Override
  public ConfigView view(String pipeline, String memberId) {
    return open(
        List.of(Scope.global(), Scope.pipeline(pipeline), Scope.member(memberId)), memberId);
  }

  private ConfigView open(List<Scope> scopes, String memberId) {
    if (scopes.isEmpty()) {
      throw new InvalidInputException("a config view needs at least one scope");
    }
    DefaultConfigView view = new DefaultConfigView(this, scopes, memberId);
    view.start();
    view.forgetOnClose(registry.add(view));
    return view;
  }

  @Override
  public Map<String, AppliedConfig> applied() {
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
