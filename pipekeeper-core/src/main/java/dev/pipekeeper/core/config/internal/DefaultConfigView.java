package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ConfigChange;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.LiveValue;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Serial;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live config view. One recursive persistent watch per scope (Curator's {@link
 * PersistentWatcher}) tells it that something in the scope changed; it then reads the whole scope
 * at one point in time with a read-only multi ({@code Op.getData} of the commit node and every key
 * and schema, with the lists of both and of the secret markers), reading again if keys came or went
 * since the lists it asked for, so a multi-key change is never seen half-applied. Names that are no
 * config key (written behind Pipekeeper's back) are left out of the lists, and logged once. Reads
 * are asynchronous, at most one on its way per scope, and sent straight from ZooKeeper's event
 * thread when a watch event arrives; an event that arrives while a read is on its way costs nothing
 * (see {@link #readNow}). What a read returns is checked, merged and handed to listeners on the
 * view's {@link Serial}.
 */
final class DefaultConfigView implements ConfigView {
  /** Set once by whoever registered this with the connection; run on close. */
  private volatile Runnable forget = () -> {};

  void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  private static final Logger LOG = LoggerFactory.getLogger(DefaultConfigView.class);
  private static final int READ_ATTEMPTS = 20;

  private final ConfigReader reader;
  private final List<Scope> scopes;
  private final String memberId;
  private final Serial events;
  private final List<PersistentWatcher> watchers = new ArrayList<>();
  private final Map<Scope, Map<String, JsonNode>> good = new ConcurrentHashMap<>();
  private final Map<Scope, Integer> versions = new ConcurrentHashMap<>();
  private final Set<String> lastKnownGood = ConcurrentHashMap.newKeySet();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

  /** Foreign nodes (no config key name) already reported, by path. */
  private final Set<String> foreign = ConcurrentHashMap.newKeySet();

  private final List<Consumer<ConfigChange>> batchListeners = new CopyOnWriteArrayList<>();
  private final Map<String, List<BiConsumer<Optional<JsonNode>, Optional<JsonNode>>>> keyListeners =
      new ConcurrentHashMap<>();
  private final List<DefaultLiveValue<?>> bindings = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Resolved resolved = new Resolved(Map.of(), Map.of(), 0);
  private final Acknowledgements acknowledgements;
  private volatile Acknowledgements.Part ack;
  private volatile Runnable removeMeters = () -> {};

  /**
   * @param memberId the member whose applied versions the view acknowledges (in {@code
   *     acknowledgements}), or null for a view that acknowledges nothing
   */
  DefaultConfigView(
      ConfigReader reader, List<Scope> scopes, String memberId, Acknowledgements acknowledgements) {
    this.reader = reader;
    this.scopes = List.copyOf(scopes);
    this.memberId = memberId;
    this.acknowledgements = acknowledgements;
    this.events = new Serial("pipekeeper-config-view");
  }

  void start() {
    Session session = reader.session();
    session.awaitConnected(session.connectionTimeout());
    for (Scope scope : scopes) {
      reading.put(scope, new AtomicBoolean());
      readAgain.put(scope, new AtomicBoolean());
      loaded.put(scope, new CompletableFuture<>());
      PersistentWatcher watcher =
          new PersistentWatcher(reader.client(), ZkLayout.config(scope.path()), true);
      watcher
          .getListenable()
          .addListener(
              event -> {
                // On ZooKeeper's event thread. A read on its way covers this change: its reply
                // comes after this event (see readNow), so only an idle scope needs a new read.
                if (reading.get(scope).compareAndSet(false, true)) {
                  readNow(scope, known.getOrDefault(scope, NONE), 0);
                }
              });
      // Events may have been missed while disconnected, and a read on its way may have been sent
      // before the watch was back: read (again) once the watch is re-established.
      watcher
          .getResetListenable()
          .addListener(
              () -> {
                LOG.debug("config {}: watch set (again), reading the scope", scope);
                readFresh(scope);
              });
      watcher.start();
      watchers.add(watcher);
    }
    if (memberId != null) {
      ack = acknowledgements.attach(memberId);
    }
    // Sent after the watches were added, on the same connection, so nothing falls in between.
    scopes.forEach(this::readFresh);
    try {
      CompletableFuture.allOf(loaded.values().toArray(CompletableFuture[]::new))
          .get(session.connectionTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      close();
      throw session.failure("loading config", e);
    } catch (Exception e) {
      close();
      throw session.unreachable("config not loaded in time: " + e.getMessage());
    }
    synchronized (this) {
      if (!closed.get()) { // close removes them under this lock
        removeMeters =
            session
                .meters()
                .configView(
                    scopes,
                    Scope::path,
                    scope -> versions.getOrDefault(scope, -1),
                    this::lastKnownGoodCount);
      }
    }
  }

  /** How many keys of {@code scope} are held on their last good value (for a gauge). */
  private int lastKnownGoodCount(Scope scope) {
    String prefix = scope.path() + " ";
    int count = 0;
    for (String id : lastKnownGoodIds()) {
      if (id.startsWith(prefix)) {
        count++;
      }
    }
    return count;
  }

  /** Reads the scope with a read sent from now on (after the current one, if one is on its way). */
  private void readFresh(Scope scope) {
    readAgain.get(scope).set(true);
    if (reading.get(scope).compareAndSet(false, true)) {
      readAgain.get(scope).set(false);
      readNow(scope, known.getOrDefault(scope, NONE), 0);
    }
  }

  /** A scope's read is done (or given up): sends the next one if {@link #readFresh} asked. */
  private void readDone(Scope scope) {
    if (readAgain.get(scope).getAndSet(false)) {
      readNow(scope, known.getOrDefault(scope, NONE), 0);
      return;
    }
    reading.get(scope).set(false);
    if (readAgain.get(scope).getAndSet(false) && reading.get(scope).compareAndSet(false, true)) {
      readNow(scope, known.getOrDefault(scope, NONE), 0);
    }
  }

  /** On the events thread: takes in a scope's snapshot, keeping last good values. */
  private void apply(Scope scope, Snapshot snapshot) {
    if (closed.get()) {
      return;
    }
    Map<String, JsonNode> previous = good.getOrDefault(scope, Map.of());
    Map<String, JsonNode> next = new TreeMap<>();
    // a key held on its last good value that is gone now is held no more
    String prefix = scope.path() + " ";
    lastKnownGood.removeIf(
        id -> id.startsWith(prefix) && !snapshot.values.containsKey(id.substring(prefix.length())));
    warned.removeIf(
        id -> id.startsWith(prefix) && !snapshot.values.containsKey(id.substring(prefix.length())));
    for (Map.Entry<String, byte[]> stored : snapshot.values.entrySet()) {
      String key = stored.getKey();
      String id = scope.path() + " " + key;
      ConfigReader.Decoded decoded = ConfigReader.decode(stored.getValue());
      JsonNode value = decoded.value();
      Optional<String> problem = Optional.ofNullable(decoded.problem());
      if (value != null && snapshot.schemas.containsKey(key)) {
        Optional<JsonNode> schema =
            ConfigReader.decodeSchema(scope, key, snapshot.schemas.get(key));
        List<String> errors = schema.map(s -> SchemaCheck.errors(s, value)).orElse(List.of());
        if (!errors.isEmpty()) {
          // A secret's schema errors can quote parts of its value: say only that it failed.
          problem =
              Optional.of(
                  snapshot.secret.contains(key) || Secrets.isSecret(schema.get())
                      ? "does not match its schema"
                      : "does not match its schema: " + String.join("; ", errors));
        }
      }
      if (problem.isEmpty()) {
        next.put(key, value);
        lastKnownGood.remove(id);
        warned.remove(id);
      } else {
        lastKnownGood.add(id);
        if (warned.add(id)) {
          LOG.warn(
              "config {} {} {}: keeping the last good value{}",
              scope,
              key,
              problem.get(),
              previous.containsKey(key) ? "" : " (none: the key stays unset)");
        }
        if (previous.containsKey(key)) {
          next.put(key, previous.get(key));
        }
      }
    }
    good.put(scope, Map.copyOf(next));
    Integer before = versions.put(scope, snapshot.version);
    if (memberId != null && !Objects.equals(before, snapshot.version)) {
      LOG.info("config {} version {} applied by {}", scope, snapshot.version, memberId);
    }
    applyEffective();
    loaded.get(scope).complete(null);
  }

  /**
   * The resolved values, the scope each comes from, and a number that grows with each resolution
   * (so a binding never takes an older one after a newer).
   */
  record Resolved(Map<String, JsonNode> values, Map<String, Scope> sources, long number) {}

  /** On the events thread: merges the scopes, tells listeners what changed, acknowledges. */
  private void applyEffective() {
    Map<String, JsonNode> merged = new TreeMap<>();
    Map<String, Scope> sources = new HashMap<>();
    for (Scope scope : scopes) {
      Map<String, JsonNode> values = good.getOrDefault(scope, Map.of());
      merged.putAll(values);
      values.keySet().forEach(key -> sources.put(key, scope));
    }
    Resolved before = resolved;
    Map<String, ConfigChange.ValueChange> changes = new LinkedHashMap<>();
    Set<String> keys = new TreeSet<>(before.values().keySet());
    keys.addAll(merged.keySet());
    for (String key : keys) {
      JsonNode old = before.values().get(key);
      JsonNode now = merged.get(key);
      if (!Objects.equals(old, now)) {
        changes.put(
            key, new ConfigChange.ValueChange(Optional.ofNullable(old), Optional.ofNullable(now)));
      }
    }
    Resolved now = new Resolved(Map.copyOf(merged), Map.copyOf(sources), before.number() + 1);
    resolved = now;
    for (DefaultLiveValue<?> binding : bindings) {
      String key = binding.key();
      if (changes.containsKey(key)
          || !Objects.equals(before.sources().get(key), now.sources().get(key))) {
        binding.update(now);
      }
    }
    writeAck(); // after the bindings: a value they cannot convert is in the acknowledgement
    if (changes.isEmpty()) {
      return;
    }
    ConfigChange batch = new ConfigChange(new HashMap<>(versions), changes);
    changes.forEach(
        (key, change) -> {
          for (BiConsumer<Optional<JsonNode>, Optional<JsonNode>> listener :
              keyListeners.getOrDefault(key, List.of())) {
            call("listener of " + key, () -> listener.accept(change.oldValue(), change.newValue()));
          }
        });
    for (Consumer<ConfigChange> listener : batchListeners) {
      call("batch listener", () -> listener.accept(batch));
    }
  }

  /**
   * The keys held on a last good value, as {@code SCOPE KEY}: stored values that are invalid, and
   * values a binding cannot convert to its type (named by the scope the value comes from).
   */
  private Set<String> lastKnownGoodIds() {
    Set<String> ids = new TreeSet<>(lastKnownGood);
    for (DefaultLiveValue<?> binding : bindings) {
      String held = binding.held;
      if (held != null) {
        ids.add(held);
      }
    }
    return ids;
  }

  private void call(String what, Runnable listener) {
    try {
      listener.run();
    } catch (RuntimeException e) {
      LOG.warn("config view: {} failed: {}", what, e.toString(), e);
    }
  }

  /** On the events thread: reports what is applied to the member's record (written if changed). */
  private void writeAck() {
    Acknowledgements.Part part = ack;
    if (part == null) {
      return;
    }
    Map<String, Integer> applied = new TreeMap<>();
    versions.forEach((scope, version) -> applied.put(scope.path(), version));
    part.report(applied, lastKnownGoodIds());
  }

  /**
   * The scope's keys and their schemas at one point in time, its version at that point, and the
   * keys with a secret marker (see {@link SecretMarkers}).
   */
  private record Snapshot(
      int version, Map<String, byte[]> values, Map<String, byte[]> schemas, Set<String> secret) {}

  private static final List<List<String>> NONE = List.of(List.of(), List.of());

  /** Per scope, a read is on its way: at most one at a time, so snapshots come in order. */
  private final Map<Scope, AtomicBoolean> reading = new ConcurrentHashMap<>();

  /** Per scope, a read must be sent after the one on its way (see {@link #readFresh}). */
  private final Map<Scope, AtomicBoolean> readAgain = new ConcurrentHashMap<>();

  /** Per scope, completed once its first snapshot is applied. */
  private final Map<Scope, CompletableFuture<Void>> loaded = new ConcurrentHashMap<>();

  /** The key and schema names each scope had when last read: the next read asks for them. */
  private final Map<Scope, List<List<String>>> known = new ConcurrentHashMap<>();

  /**
   * Reads a scope in one asynchronous read-only multi: the commit node, the lists of keys and
   * schemas, and every key and schema in {@code names}. If the lists differ from {@code names}, it
   * reads again with the new lists; in the steady state a reload costs one round trip.
   *
   * <p>The reply is handled on ZooKeeper's event thread, which hands over a connection's watch
   * events and asynchronous replies in the order the server sent them; a change the read did not
   * see was applied after the server served the read, so its event comes after the reply. Hence a
   * watch event handled while a read is on its way needs no read of its own (a multi-op fires one
   * event per node it touched). A failed read is not retried here: it failed because the connection
   * was lost, and the watch's reset after reconnecting reads again.
   */
  private void readNow(Scope scope, List<List<String>> names, int attempt) {
    if (closed.get()) {
      return;
    }
    String base = ZkLayout.config(scope.path());
    String schemaBase = ZkLayout.configSchemas(scope.path());
    List<String> nodes = new ArrayList<>();
    nodes.add(base + "/" + ZkLayout.COMMIT);
    names.get(0).forEach(key -> nodes.add(base + "/" + key));
    names.get(1).forEach(key -> nodes.add(schemaBase + "/" + key));
    try {
      reader.readAllAsync(
          nodes,
          List.of(base, schemaBase, ZkLayout.CONFIG_SECRET),
          (rc, path, ctx, results) -> {
            try {
              onReply(scope, names, attempt, rc, results);
            } catch (RuntimeException e) {
              LOG.warn("config {} not read: {}", scope, e.toString(), e);
              readDone(scope);
            }
          });
    } catch (Exception e) {
      LOG.warn("config {} not read: {}", scope, e.toString());
      readDone(scope);
    }
  }

  /** On ZooKeeper's event thread. */
  private void onReply(
      Scope scope, List<List<String>> names, int attempt, int rc, List<OpResult> results) {
    // A read-only multi reports a missing node as an error result in its place (and that error
    // as rc); results are absent only when the whole request failed.
    if (results == null) {
      KeeperException.Code code = KeeperException.Code.get(rc);
      if (code == KeeperException.Code.CONNECTIONLOSS
          || code == KeeperException.Code.SESSIONEXPIRED) {
        LOG.debug("config {} not read: {}; reading again once reconnected", scope, code);
      } else {
        LOG.warn("config {} not read: {}", scope, code);
      }
      readDone(scope);
      return;
    }
    List<String> keys = names.get(0);
    List<String> schemaKeys = names.get(1);
    int folders = 1 + keys.size() + schemaKeys.size(); // the lists follow the nodes (readNow)
    List<String> keysNow =
        ConfigReader.keyNames(ConfigReader.childrenOf(results.get(folders))).stream()
            .filter(n -> isKey(ZkLayout.config(scope.path()), n))
            .toList();
    List<String> schemaKeysNow =
        ConfigReader.childrenOf(results.get(folders + 1)).stream()
            .filter(n -> isKey(ZkLayout.configSchemas(scope.path()), n))
            .sorted()
            .toList();
    if (!keysNow.equals(keys) || !schemaKeysNow.equals(schemaKeys)) {
      if (attempt + 1 < READ_ATTEMPTS) {
        readNow(scope, List.of(keysNow, schemaKeysNow), attempt + 1); // keys came or went
      } else {
        LOG.warn("config {} kept changing while being read; reading at its next change", scope);
        readDone(scope);
      }
      return;
    }
    known.put(scope, names);
    Map<String, byte[]> values = new TreeMap<>();
    Map<String, byte[]> schemas = new TreeMap<>();
    for (int i = 0; i < keys.size(); i++) {
      if (results.get(1 + i) instanceof OpResult.GetDataResult data) {
        values.put(keys.get(i), data.getData());
      } else if (ConfigReader.isNoAuth(results.get(1 + i)) && unreadable.add(keys.get(i))) {
        LOG.warn(
            "config {} {} is not readable with this connection's credentials (a secret: the"
                + " secretReaders role reads it); the view sees it unset",
            scope,
            keys.get(i));
      }
    }
    for (int i = 0; i < schemaKeys.size(); i++) {
      if (results.get(1 + keys.size() + i) instanceof OpResult.GetDataResult data) {
        schemas.put(schemaKeys.get(i), data.getData());
      }
    }
    Snapshot snapshot =
        new Snapshot(
            ConfigReader.scopeVersion(ConfigReader.statOf(results.get(0))),
            values,
            schemas,
            Set.copyOf(ConfigReader.childrenOf(results.get(folders + 2))));
    events.execute("config update of " + scope, () -> apply(scope, snapshot));
    readDone(scope);
  }

  /**
   * Whether {@code name} under {@code folder} is a config key; a node written behind Pipekeeper's
   * back under another name is skipped, and reported once.
   */
  private boolean isKey(String folder, String name) {
    if (ConfigReader.isKeyName(name)) {
      return true;
    }
    if (foreign.add(folder + "/" + name)) {
      LOG.warn(
          "config view: skipping {}/{}, written behind Pipekeeper's back: not a config key name",
          folder,
          name);
    }
    return false;
  }

  @Override
  public Map<String, JsonNode> values() {
    return resolved.values();
  }

  @Override
  public Optional<JsonNode> raw(String key) {
    return Optional.ofNullable(resolved.values().get(key));
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    JsonNode value = resolved.values().get(key);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(Json.fromTree(value, type));
    } catch (IOException | IllegalArgumentException e) {
      // The value itself stays out of the message: it may be a secret.
      throw new InvalidInputException(
          "config "
              + key
              + " holds a JSON "
              + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + ", which does not convert to "
              + type.getSimpleName());
    }
  }

  @Override
  public <T> LiveValue<T> bind(String key, Class<T> type, T defaultValue) {
    DefaultLiveValue<T> binding = new DefaultLiveValue<>(key, type, defaultValue);
    bindings.add(binding); // before reading: a resolution after this updates it
    binding.update(resolved);
    if (binding.held != null) {
      events.execute("acknowledging " + key + "'s last good value", this::writeAck);
    }
    return binding;
  }

  @Override
  public void onChange(String key, BiConsumer<Optional<JsonNode>, Optional<JsonNode>> listener) {
    keyListeners.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(listener);
  }

  @Override
  public void onBatch(Consumer<ConfigChange> listener) {
    batchListeners.add(listener);
  }

  @Override
  public Map<Scope, Integer> appliedVersions() {
    return Map.copyOf(versions);
  }

  @Override
  public Set<String> lastKnownGoodKeys() {
    Set<String> keys = new TreeSet<>();
    for (String id : lastKnownGoodIds()) {
      keys.add(id.substring(id.lastIndexOf(' ') + 1));
    }
    return keys;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    forget.run();
    synchronized (this) {
      removeMeters.run();
    }
    for (PersistentWatcher watcher : watchers) {
      watcher.close();
    }
    Acknowledgements.Part part = ack;
    if (part != null) {
      part.detach();
    }
    events.close();
  }

  @Override
  public String toString() {
    return "config view of " + scopes;
  }
}
