package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.ExtraWrite;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.KeyChange;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes config values: {@code set}, {@code setIfAbsent}, {@code delete}, {@code apply} and {@code
 * rollback}, each one multi-op of the keys, their history entries and the scope's commit node,
 * validated first (key names, finite numbers, the size limit, the keys' schemas) and made with
 * compare-and-set on what was read, so concurrent changes of a scope conflict instead of mixing. It
 * keeps what its own last write left in a scope and writes on that, checked by the multi-op's
 * compare-and-set, reading first only when that is not enough.
 */
final class ConfigWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWriter.class);

  /** Bounds on what a writer keeps of its last writes (see {@link #written}). */
  private static final int WRITTEN_SCOPES = 256;

  private static final int WRITTEN_KEYS = 1_000;

  /**
   * How often {@link SchemaWriter#ensureSchema} and {@link #setIfAbsent} read again and retry after
   * a conflict. A conflict means another writer's change landed, so instances installing the same
   * thing converge in a few rounds; the bound only stops a writer that is outrun for ever.
   */
  static final int ENSURE_ATTEMPTS = 100;

  private final Session session;
  private final ConfigReader reader;
  private final ChangeOps changeOps;
  private final int valueLimitBytes;

  ConfigWriter(Session session, ConfigReader reader, ChangeOps changeOps, int valueLimitBytes) {
    this.session = session;
    this.reader = reader;
    this.changeOps = changeOps;
    this.valueLimitBytes = valueLimitBytes;
  }

  private CuratorFramework client() {
    return session.client();
  }

  /**
   * Forgets what this writer's last write left in {@code scope}, after a change of the scope made
   * elsewhere (a schema, a reveal): its next write there reads first.
   */
  void forget(Scope scope) {
    written.remove(scope);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#set}. */
  ConfigCommit set(Scope scope, String key, JsonNode value, ChangeOptions options) {
    ConfigKeys.check(key);
    if (value == null || value.isNull()) {
      throw new InvalidInputException(
          "config " + scope + " " + key + ": value is missing; use delete");
    }
    Map<String, JsonNode> one = new LinkedHashMap<>();
    one.put(key, value);
    return write(scope, one, options, Expect.KEY_VERSION);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#set}. */
  ConfigCommit set(Scope scope, String key, Object value, ChangeOptions options) {
    ConfigKeys.check(key);
    return set(scope, key, toJson(scope, key, value), options);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#setIfAbsent}. */
  ConfigCommit setIfAbsent(Scope scope, String key, JsonNode value, ChangeOptions options) {
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

  /** See {@link dev.pipekeeper.core.config.Configuration#setIfAbsent}. */
  ConfigCommit setIfAbsent(Scope scope, String key, Object value, ChangeOptions options) {
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
      return Json.toTree(value);
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
  private static void checkKeyVersion(Scope scope, String key, OptionalInt expected, int actual) {
    if (expected.isPresent() && expected.getAsInt() != actual) {
      throw new ConfigConflictException(
          "config "
              + scope
              + " "
              + key
              + " is at version "
              + (actual < 0 ? "none (not set)" : actual)
              + ", not the expected "
              + expected.getAsInt()
              + "; nothing was written");
    }
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#delete}. */
  ConfigCommit delete(Scope scope, String key, ChangeOptions options) {
    ConfigKeys.check(key);
    Map<String, JsonNode> one = new LinkedHashMap<>();
    one.put(key, null);
    return write(scope, one, options, Expect.EXISTING_KEY_VERSION);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#apply}. */
  ConfigCommit apply(Scope scope, Map<String, JsonNode> changes, ChangeOptions options) {
    if (changes.isEmpty()) {
      throw new InvalidInputException("nothing to apply: the change has no keys");
    }
    return write(scope, changes, options, Expect.SCOPE_VERSION);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#applyValues}. */
  ConfigCommit applyValues(Scope scope, Map<String, ?> changes, ChangeOptions options) {
    Map<String, JsonNode> json = new LinkedHashMap<>();
    for (Map.Entry<String, ?> change : changes.entrySet()) {
      String key = ConfigKeys.check(change.getKey());
      json.put(key, toJson(scope, key, change.getValue()));
    }
    return apply(scope, json, options);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#commit}. */
  ConfigCommit commit(
      Scope scope, List<KeyChange> changes, List<ExtraWrite> extra, ChangeOptions options) {
    if (changes.isEmpty()) {
      throw new InvalidInputException("nothing to commit: the change has no keys");
    }
    Map<String, JsonNode> values = new LinkedHashMap<>();
    Map<String, OptionalInt> versions = new TreeMap<>();
    for (KeyChange change : changes) {
      String key = ConfigKeys.check(change.key());
      if (values.containsKey(key)) {
        throw new InvalidInputException("config " + scope + " " + key + ": given twice");
      }
      values.put(key, change.value());
      versions.put(key, change.expectedVersion());
    }
    changeOps.checkExtra(extra);
    return write(scope, values, options, Expect.SCOPE_VERSION, new Extras(versions, extra));
  }

  /**
   * What a {@link #commit} adds to a change: the keys' expected versions, checked against the state
   * the multi-op's compare-and-set is based on, and the nodes written in the same multi-op.
   */
  private record Extras(Map<String, OptionalInt> keyVersions, List<ExtraWrite> writes) {
    static final Extras NONE = new Extras(Map.of(), List.of());
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
    return write(scope, requested, options, expect, Extras.NONE);
  }

  private ConfigCommit write(
      Scope scope,
      Map<String, JsonNode> requested,
      ChangeOptions options,
      Expect expect,
      Extras extras) {
    // 1. Validate everything before reading or writing anything.
    Map<String, JsonNode> changes = new TreeMap<>();
    Map<String, byte[]> encoded = validate(scope, requested, changes);

    // 2. Write on what this writer knows of the scope from its own last write, if that covers the
    // keys: the multi-op's compare-and-set on the commit node, the keys and the schemas' folder
    // fails if anything changed since, and then the change is made again on a fresh read.
    session.awaitConnected(session.connectionTimeout());
    try {
      ScopeState last = written.get(scope);
      if (last != null && last.keys().keySet().containsAll(changes.keySet())) {
        try {
          Optional<ConfigCommit> commit =
              attempt(scope, changes, encoded, options, expect, extras, last, true);
          if (commit.isPresent()) {
            return commit.get();
          }
        } catch (InvalidInputException | ConfigConflictException stale) {
          // decided on what this writer last wrote, which is not what is there now: read it
        }
        written.remove(scope, last);
      }
      ScopeState now = read(scope, new ArrayList<>(changes.keySet()));
      return attempt(scope, changes, encoded, options, expect, extras, now, false).orElseThrow();
    } catch (InvalidInputException | ConfigConflictException e) {
      throw e;
    } catch (Exception e) {
      throw session.failure("writing config " + scope, e);
    }
  }

  /**
   * Checks what can be checked without reading (key names, finite numbers, the size limit), puts
   * each change into {@code changes} by its checked key (a delete as JSON null), and returns the
   * encoded values of those that are not deletes.
   */
  private Map<String, byte[]> validate(
      Scope scope, Map<String, JsonNode> requested, Map<String, JsonNode> changes) {
    Map<String, byte[]> encoded = new TreeMap<>();
    for (Map.Entry<String, JsonNode> change : requested.entrySet()) {
      String key = ConfigKeys.check(change.getKey());
      JsonNode value = change.getValue() == null ? NullNode.getInstance() : change.getValue();
      changes.put(key, value);
      if (value.isNull()) {
        continue;
      }
      ChangeOps.refuseNonFinite("config " + scope + " " + key + ": the value", value);
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
    return encoded;
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#check}. */
  void check(Scope scope, Map<String, JsonNode> requested) {
    if (requested.isEmpty()) {
      throw new InvalidInputException("nothing to check: the change has no keys");
    }
    Map<String, JsonNode> changes = new TreeMap<>();
    validate(scope, requested, changes);
    for (Map.Entry<String, JsonNode> change : changes.entrySet()) {
      if (!change.getValue().isNull()) {
        Optional<JsonNode> schema = reader.schema(scope, change.getKey());
        if (schema.isPresent()) {
          refuseBySchema(scope, change.getKey(), schema.get(), change.getValue());
        }
      }
    }
  }

  private static void refuseBySchema(Scope scope, String key, JsonNode schema, JsonNode value) {
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

  /**
   * What a writer knows of a scope, from a read or from its own last write: the commit node's
   * version (-1: none yet), the version of the schemas' folder, and per key what the change needs.
   */
  private record ScopeState(int commitVersion, int schemasVersion, Map<String, KeyState> keys) {}

  /** One key: its version (-1: unset), value, schema and history entries (oldest first). */
  private record KeyState(int version, JsonNode value, JsonNode schema, List<String> history) {}

  /** The value of a key this connection may not read (a secret, to a writer): never equal. */
  private static final JsonNode UNREADABLE =
      com.fasterxml.jackson.databind.node.MissingNode.getInstance();

  /** Per scope, what this writer's last write left there (checked, never trusted, on use). */
  private final Map<Scope, ScopeState> written = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Reads, at one point in time and in one round trip, the scope version, the version of the
   * schemas' folder, and each key's value, version, schema and history entries.
   */
  private ScopeState read(Scope scope, List<String> keys) throws Exception {
    // The schemas' folder is not created here: a change refused on what this read finds (its
    // schema, an expected version) writes nothing, not even an empty folder (see attempt).
    String schemas = ZkLayout.configSchemas(scope.path());
    List<String> reads = new ArrayList<>();
    reads.add(ZkLayout.configCommit(scope.path()));
    reads.add(schemas);
    List<String> histories = new ArrayList<>();
    for (String key : keys) {
      reads.add(ZkLayout.configKey(scope.path(), key));
      reads.add(ZkLayout.configSchema(scope.path(), key));
      histories.add(ZkLayout.configHistory(scope.path(), key));
    }
    List<OpResult> all = reader.readAll(reads, histories);
    Stat commit = ConfigReader.statOf(all.get(0));
    Stat folder = ConfigReader.statOf(all.get(1));
    Map<String, KeyState> states = new TreeMap<>();
    for (int i = 0; i < keys.size(); i++) {
      OpResult value = all.get(2 + 2 * i);
      OpResult schema = all.get(3 + 2 * i);
      List<String> history = new ArrayList<>(ConfigReader.childrenOf(all.get(reads.size() + i)));
      history.sort(null); // v-0000000042: the sequence sorts as text
      if (ConfigReader.isNoAuth(value)) {
        // A secret this writer may set but not read: its version only, its value unknown (so
        // never "unchanged"); the multi-op's version check still catches a concurrent change.
        Stat stat = client().checkExists().forPath(ZkLayout.configKey(scope.path(), keys.get(i)));
        states.put(
            keys.get(i),
            new KeyState(
                stat == null ? -1 : stat.getVersion(),
                stat == null ? null : UNREADABLE,
                schema instanceof OpResult.GetDataResult data
                    ? ConfigReader.parseOrRaw(data.getData())
                    : null,
                List.copyOf(history)));
        continue;
      }
      states.put(
          keys.get(i),
          new KeyState(
              value instanceof OpResult.GetDataResult data ? data.getStat().getVersion() : -1,
              value instanceof OpResult.GetDataResult data
                  ? ConfigReader.parseOrRaw(data.getData())
                  : null,
              schema instanceof OpResult.GetDataResult data
                  ? ConfigReader.parseOrRaw(data.getData())
                  : null,
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
      Extras extras,
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
      checkKeyVersion(scope, key, options.expectedVersion(), version);
    }
    for (Map.Entry<String, OptionalInt> expected : extras.keyVersions().entrySet()) {
      String key = expected.getKey();
      checkKeyVersion(scope, key, expected.getValue(), state.keys().get(key).version());
    }
    for (String key : keys) {
      JsonNode value = changes.get(key);
      JsonNode schema = state.keys().get(key).schema();
      if (!value.isNull() && schema != null) {
        refuseBySchema(scope, key, schema, value);
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
      JsonNode old = before.value() == UNREADABLE ? null : before.value();
      // with an ACL model, a secret's value and history only admins and secret readers may read
      List<ACL> acl =
          session.acls().modelled() && reader.isSecret(scope, key)
              ? session.acls().secret()
              : session.acls().node();
      JsonNode value = changes.get(key);
      boolean unchanged =
          value.isNull() ? before.version() < 0 : before.value() != UNREADABLE && value.equals(old);
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
        changeOps.ensureParent(path);
        ops.add(client().transactionOp().create().withACL(acl).forPath(path, encoded.get(key)));
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
          changeOps.historyOps(
              ops,
              scope,
              key,
              before.history(),
              acl,
              new HistoryRecord(
                  options.who(),
                  Instant.now(),
                  old,
                  value.isNull() ? null : value,
                  options.comment(),
                  scopeVersion + 1)));
    }
    if (changed.isEmpty() && (fromLastWrite || extras.writes().isEmpty())) {
      return fromLastWrite
          ? Optional.empty()
          : Optional.of(new ConfigCommit(scope, scopeVersion, List.of()));
    }
    int firstExtra = ops.size();
    ops.addAll(changeOps.extraOps(extras.writes()));
    if (changed.isEmpty()) {
      // nothing of the scope changes: the extra nodes alone, on the scope as it was read
      changeOps.writeExtrasAlone(scope, state.commitVersion(), ops, extras.writes());
      return Optional.of(new ConfigCommit(scope, scopeVersion, List.of()));
    }
    ops.add(
        changeOps.commitOp(
            scope,
            state.commitVersion(),
            new CommitRecord(options.who(), Instant.now(), changed, options.comment())));
    // The schemas validated against are still the current ones (see setSchema). Every check on
    // the state passed, so the folder may be made now; one absent when read is made empty
    // (version 0), and the check of version 0 fails if a schema was set in between.
    changeOps.ensureFolder(ZkLayout.configSchemas(scope.path()));
    int schemasVersion = Math.max(0, state.schemasVersion());
    ops.add(
        client()
            .transactionOp()
            .check()
            .withVersion(schemasVersion)
            .forPath(ZkLayout.configSchemas(scope.path())));
    changeOps.checkRequestSize(scope, ops);
    List<CuratorTransactionResult> results;
    try {
      results = client().transaction().forOperations(ops);
    } catch (KeeperException.BadVersionException
        | KeeperException.NodeExistsException
        | KeeperException.NoNodeException e) {
      changeOps.forgetParents(); // a parent may have been deleted: check again next time
      throw ChangeOps.conflict(scope, scopeVersion, e, firstExtra, extras.writes());
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

  /** See {@link dev.pipekeeper.core.config.Configuration#rollback}. */
  ConfigCommit rollback(Scope scope, String key, int sequence, ChangeOptions options) {
    HistoryEntry target =
        reader.history(scope, key).stream()
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
}
