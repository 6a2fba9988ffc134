package dev.pipekeeper.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.ZkLayout;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
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
  private final java.util.Set<String> existingParents =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  DefaultConfiguration(Session session, Registry registry, int valueLimitBytes, int historyLimit) {
    this.session = session;
    this.registry = registry;
    this.valueLimitBytes = valueLimitBytes;
    this.historyLimit = historyLimit;
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
    try {
      byte[] data =
          client().getData().storingStatIn(stat).forPath(ZkLayout.configKey(scope.path(), key));
      return Optional.of(entry(scope, key, data, stat));
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading config " + scope + " " + key, e);
    }
  }

  private ConfigEntry entry(Scope scope, String key, byte[] data, Stat stat) {
    return new ConfigEntry(
        key,
        parseOrRaw(data),
        stat.getVersion(),
        Instant.ofEpochMilli(stat.getMtime()),
        Secrets.isSecret(schema(scope, key).orElse(null)));
  }

  /** Stored bytes as JSON, or (written behind our back) as a JSON string of the raw text. */
  static JsonNode parseOrRaw(byte[] data) {
    try {
      return Json.MAPPER.readTree(data);
    } catch (IOException e) {
      return TextNode.valueOf(new String(data, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Override
  public List<ConfigEntry> list(Scope scope) {
    List<ConfigEntry> entries = new ArrayList<>();
    for (String key : keys(scope)) {
      get(scope, key).ifPresent(entries::add);
    }
    return entries;
  }

  List<String> keys(Scope scope) {
    return children(ZkLayout.config(scope.path())).stream()
        .filter(name -> !name.equals(ZkLayout.COMMIT))
        .sorted()
        .toList();
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
    List<Scope> scopes = new ArrayList<>();
    List<String> top = children(ZkLayout.CONFIG);
    if (top.contains("global")) {
      scopes.add(Scope.global());
    }
    for (String name : children(ZkLayout.CONFIG + "/pipeline")) {
      scopes.add(Scope.pipeline(name));
    }
    for (String name : children(ZkLayout.CONFIG + "/member")) {
      scopes.add(Scope.member(name));
    }
    return scopes;
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

  /** What {@link ChangeOptions#expectedVersion()} refers to, and what must exist beforehand. */
  private enum Expect {
    /** The scope's version ({@code apply}, {@code rollback}). */
    SCOPE_VERSION,
    /** The one key's version, -1 for unset ({@code set}). */
    KEY_VERSION,
    /** The one key's version, and the key must exist ({@code delete}). */
    EXISTING_KEY_VERSION
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

    // 2. Read what is there now, at one point in time and in one round trip: the scope version,
    // each key's value and version, and each key's schema.
    session.awaitConnected(session.connectionTimeout());
    String commitPath = ZkLayout.configCommit(scope.path());
    List<String> keys = new ArrayList<>(changes.keySet());
    List<String> reads = new ArrayList<>();
    reads.add(commitPath);
    for (String key : keys) {
      reads.add(ZkLayout.configKey(scope.path(), key));
      reads.add(ZkLayout.configSchema(scope.path(), key));
    }
    // and each key's history entries, so the change prunes the oldest in its own multi-op
    List<String> histories = new ArrayList<>();
    for (String key : keys) {
      histories.add(ZkLayout.configHistory(scope.path(), key));
    }
    try {
      List<OpResult> all = readAll(reads, histories);
      List<OpResult> now = all.subList(0, reads.size());
      Stat commitStat = statOf(now.get(0));
      if (expect != Expect.SCOPE_VERSION) {
        // One key: its expected version is checked against the same read the multi-op's
        // compare-and-set is based on, so it cannot change unnoticed in between.
        String key = keys.get(0);
        Stat stat = statOf(now.get(1));
        if (stat == null && expect == Expect.EXISTING_KEY_VERSION) {
          throw new InvalidInputException("config " + scope + " has no key " + key);
        }
        checkKeyVersion(scope, key, options, stat == null ? -1 : stat.getVersion());
      }
      for (int i = 0; i < keys.size(); i++) {
        String key = keys.get(i);
        JsonNode value = changes.get(key);
        if (!value.isNull() && now.get(2 + 2 * i) instanceof OpResult.GetDataResult schemaData) {
          List<String> errors = SchemaCheck.errors(parseOrRaw(schemaData.getData()), value);
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
      int scopeVersion = commitStat == null ? 0 : commitStat.getVersion() + 1;
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
      for (int i = 0; i < keys.size(); i++) {
        String key = keys.get(i);
        String path = ZkLayout.configKey(scope.path(), key);
        Stat stat = statOf(now.get(1 + 2 * i));
        JsonNode old =
            now.get(1 + 2 * i) instanceof OpResult.GetDataResult data
                ? parseOrRaw(data.getData())
                : null;
        JsonNode value = changes.get(key);
        if (value.isNull()) {
          if (stat == null) {
            continue; // already absent: applying the same file twice is not an error
          }
          ops.add(client().transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
        } else if (stat == null) {
          ensureParent(path);
          ops.add(client().transactionOp().create().forPath(path, encoded.get(key)));
        } else if (value.equals(old)) {
          continue; // unchanged: not a change, not in history
        } else {
          ops.add(
              client()
                  .transactionOp()
                  .setData()
                  .withVersion(stat.getVersion())
                  .forPath(path, encoded.get(key)));
        }
        changed.add(key);
        ensureParent(ZkLayout.configHistory(scope.path(), key) + "/v-");
        // the entries this one pushes over the limit go in the same multi-op: no second write
        if (all.get(reads.size() + i) instanceof OpResult.GetChildrenResult entries) {
          List<String> names = new ArrayList<>(entries.getChildren());
          names.sort(null); // v-0000000042: the sequence sorts as text
          for (String expired : names.subList(0, Math.max(0, names.size() + 1 - historyLimit))) {
            ops.add(
                client()
                    .transactionOp()
                    .delete()
                    .forPath(ZkLayout.configHistory(scope.path(), key) + "/" + expired));
          }
        }
        ops.add(
            client()
                .transactionOp()
                .create()
                .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(
                    ZkLayout.configHistory(scope.path(), key) + "/v-",
                    Json.write(
                        new HistoryRecord(
                            options.who(),
                            Instant.now(),
                            old,
                            value.isNull() ? null : value,
                            options.comment(),
                            scopeVersion + 1))));
      }
      if (changed.isEmpty()) {
        return new ConfigCommit(scope, scopeVersion, List.of());
      }
      byte[] commit =
          Json.write(new CommitRecord(options.who(), Instant.now(), changed, options.comment()));
      ensureParent(commitPath);
      ops.add(
          commitStat == null
              ? client().transactionOp().create().forPath(commitPath, commit)
              : client()
                  .transactionOp()
                  .setData()
                  .withVersion(commitStat.getVersion())
                  .forPath(commitPath, commit));
      try {
        client().transaction().forOperations(ops);
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
      LOG.info(
          "config {} version {}: {} changed by {}{}",
          scope,
          scopeVersion + 1,
          changed,
          options.who(),
          options.comment().isEmpty() ? "" : " (" + options.comment() + ")");
      return new ConfigCommit(scope, scopeVersion + 1, changed);
    } catch (InvalidInputException | ConfigConflictException e) {
      throw e;
    } catch (Exception e) {
      throw session.failure("writing config " + scope, e);
    }
  }

  /** Creates the parent of {@code path} if needed; parents known to exist cost nothing. */
  private void ensureParent(String path) throws Exception {
    String parent = path.substring(0, path.lastIndexOf('/'));
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
   * Reads several nodes in one read-only multi (ZooKeeper 3.6+), so they are seen at one point in
   * time; a missing node gives an error result in its place.
   */
  private List<OpResult> readAll(List<String> paths) throws Exception {
    return readAll(paths, List.of());
  }

  /** {@link #readAll(List)}, then the children of each of {@code folders}, in the same multi. */
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
    List<String> problems = SchemaCheck.schemaProblems(schema);
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "schema for " + scope + " " + key + " is not valid: " + String.join("; ", problems));
    }
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
    String path = ZkLayout.configSchema(scope.path(), key);
    try {
      client().create().orSetData().creatingParentsIfNeeded().forPath(path, Json.write(schema));
    } catch (Exception e) {
      throw session.failure("writing the schema of " + scope + " " + key, e);
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
    try {
      client().delete().forPath(ZkLayout.configSchema(scope.path(), key));
    } catch (KeeperException.NoNodeException none) {
      // nothing to delete
    } catch (Exception e) {
      throw session.failure("deleting the schema of " + scope + " " + key, e);
    }
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
