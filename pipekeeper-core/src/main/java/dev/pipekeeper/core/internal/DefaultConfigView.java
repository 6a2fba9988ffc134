package dev.pipekeeper.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.ZkLayout;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ConfigChange;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.LiveValue;
import dev.pipekeeper.core.config.Scope;
import java.io.IOException;
import java.time.Instant;
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
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live config view. One recursive persistent watch per scope (Curator's {@link
 * PersistentWatcher}) tells it that something in the scope changed; it then reads the whole scope
 * at one point in time with a read-only multi ({@code Op.getData} of the commit node and every
 * key), retrying until the commit node's version did not move between listing and reading, so a
 * multi-key change is never seen half-applied. Everything runs on the view's {@link Serial}.
 */
final class DefaultConfigView implements ConfigView {
  /** Set once by whoever registered this with the connection; run on close. */
  private volatile Runnable forget = () -> {};

  void forgetOnClose(Runnable forget) {
    this.forget = forget;
  }

  private static final Logger LOG = LoggerFactory.getLogger(DefaultConfigView.class);
  private static final int READ_ATTEMPTS = 20;

  private final DefaultConfiguration config;
  private final List<Scope> scopes;
  private final String memberId;
  private final Serial events;
  private final List<PersistentWatcher> watchers = new ArrayList<>();
  private final Map<Scope, AtomicBoolean> pending = new ConcurrentHashMap<>();
  private final Map<Scope, Map<String, JsonNode>> good = new ConcurrentHashMap<>();
  private final Map<Scope, Integer> versions = new ConcurrentHashMap<>();
  private final Set<String> lastKnownGood = ConcurrentHashMap.newKeySet();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final List<Consumer<ConfigChange>> batchListeners = new CopyOnWriteArrayList<>();
  private final Map<String, List<BiConsumer<Optional<JsonNode>, Optional<JsonNode>>>> keyListeners =
      new ConcurrentHashMap<>();
  private final List<DefaultLiveValue<?>> bindings = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Map<String, JsonNode> effective = Map.of();
  private PersistentNode ack;

  DefaultConfigView(DefaultConfiguration config, List<Scope> scopes, String memberId) {
    this.config = config;
    this.scopes = List.copyOf(scopes);
    this.memberId = memberId;
    this.events = new Serial("pipekeeper-config-view");
  }

  void start() {
    Session session = config.session();
    session.awaitConnected(session.connectionTimeout());
    for (Scope scope : scopes) {
      pending.put(scope, new AtomicBoolean());
      PersistentWatcher watcher =
          new PersistentWatcher(config.client(), ZkLayout.config(scope.path()), true);
      watcher
          .getListenable()
          .addListener(
              event -> {
                // A change this view has already read (a multi-op fires one event per node it
                // touched, all with the same zxid) needs no second read.
                if (event.getZxid() == WatchedEvent.NO_ZXID
                    || event.getZxid() > readUpTo.getOrDefault(scope, 0L)) {
                  schedule(scope);
                }
              });
      watcher.getResetListenable().addListener(() -> schedule(scope));
      watcher.start();
      watchers.add(watcher);
    }
    if (memberId != null) {
      ack =
          new PersistentNode(
              config.client(),
              CreateMode.EPHEMERAL,
              false,
              ZkLayout.configApplied(memberId),
              ackBytes());
      ack.start();
    }
    CompletableFuture<Void> loaded = new CompletableFuture<>();
    events.execute(
        "initial config load",
        () -> {
          try {
            for (Scope scope : scopes) {
              reload(scope);
            }
            loaded.complete(null);
          } catch (RuntimeException e) {
            loaded.completeExceptionally(e);
          }
        });
    try {
      loaded.get(session.connectionTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      close();
      throw session.failure("loading config", e);
    } catch (Exception e) {
      close();
      throw session.unreachable("config not loaded in time: " + e.getMessage());
    }
  }

  private void schedule(Scope scope) {
    if (closed.get()) {
      return;
    }
    if (pending.get(scope).compareAndSet(false, true)) {
      events.execute(
          "config reload of " + scope,
          () -> {
            pending.get(scope).set(false);
            try {
              reload(scope);
            } catch (RuntimeException e) {
              // The watcher's reset after a reconnect schedules the next attempt.
              LOG.warn("config {} not reloaded: {}", scope, e.getMessage());
            }
          });
    }
  }

  /** On the events thread. */
  private void reload(Scope scope) {
    Snapshot snapshot = read(scope);
    Map<String, JsonNode> previous = good.getOrDefault(scope, Map.of());
    Map<String, JsonNode> next = new TreeMap<>();
    for (Map.Entry<String, byte[]> stored : snapshot.values.entrySet()) {
      String key = stored.getKey();
      String id = scope.path() + " " + key;
      Optional<String> problem = Optional.empty();
      JsonNode value = null;
      try {
        value = Json.MAPPER.readTree(stored.getValue());
        JsonNode parsed = value;
        if (value == null) {
          problem = Optional.of("empty value");
        } else if (snapshot.schemas.containsKey(key)) {
          List<String> errors = schemaErrors(snapshot.schemas.get(key), parsed);
          if (!errors.isEmpty()) {
            // A secret's schema errors can quote parts of its value: say only that it failed.
            problem =
                Optional.of(
                    isSecret(snapshot.schemas.get(key))
                        ? "does not match its schema"
                        : "does not match its schema: " + String.join("; ", errors));
          }
        }
      } catch (IOException e) {
        problem = Optional.of("is not valid JSON");
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
    versions.put(scope, snapshot.version);
    applyEffective();
  }

  private static boolean isSecret(byte[] schema) {
    try {
      return dev.pipekeeper.core.config.Secrets.isSecret(Json.MAPPER.readTree(schema));
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> schemaErrors(byte[] schema, JsonNode value) {
    try {
      return SchemaCheck.errors(Json.MAPPER.readTree(schema), value);
    } catch (IOException e) {
      LOG.warn("a config schema is not JSON; ignoring it: {}", e.getMessage());
      return List.of();
    }
  }

  /** On the events thread: merges the scopes, tells listeners what changed, acknowledges. */
  private void applyEffective() {
    Map<String, JsonNode> merged = new TreeMap<>();
    for (Scope scope : scopes) {
      merged.putAll(good.getOrDefault(scope, Map.of()));
    }
    Map<String, JsonNode> before = effective;
    Map<String, ConfigChange.ValueChange> changes = new LinkedHashMap<>();
    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(merged.keySet());
    for (String key : keys) {
      JsonNode old = before.get(key);
      JsonNode now = merged.get(key);
      if (!Objects.equals(old, now)) {
        changes.put(
            key, new ConfigChange.ValueChange(Optional.ofNullable(old), Optional.ofNullable(now)));
      }
    }
    effective = Map.copyOf(merged);
    writeAck();
    if (changes.isEmpty()) {
      return;
    }
    for (DefaultLiveValue<?> binding : bindings) {
      if (changes.containsKey(binding.key())) {
        binding.update(merged.get(binding.key()));
      }
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

  private void call(String what, Runnable listener) {
    try {
      listener.run();
    } catch (RuntimeException e) {
      LOG.warn("config view: {} failed: {}", what, e.toString(), e);
    }
  }

  private void writeAck() {
    if (ack == null) {
      return;
    }
    try {
      ack.setData(ackBytes());
    } catch (Exception e) {
      LOG.warn("could not acknowledge applied config of {}: {}", memberId, e.toString());
    }
  }

  private byte[] ackBytes() {
    Map<String, Integer> applied = new TreeMap<>();
    versions.forEach((scope, version) -> applied.put(scope.path(), version));
    return Json.write(
        new AppliedConfig(
            memberId, applied, new ArrayList<>(new TreeSet<>(lastKnownGood)), Instant.now()));
  }

  /** The scope's keys and their schemas at one point in time, and its version at that point. */
  private record Snapshot(int version, Map<String, byte[]> values, Map<String, byte[]> schemas) {}

  /** Per scope, the newest modification (zxid) the last read saw. */
  private final Map<Scope, Long> readUpTo = new ConcurrentHashMap<>();

  /** The key and schema names each scope had when last read: the next read asks for them. */
  private final Map<Scope, List<List<String>>> known = new ConcurrentHashMap<>();

  /**
   * Reads a scope in one read-only multi: the commit node, the lists of keys and schemas, and every
   * key and schema known from the last read. If the lists changed since, it reads again with the
   * new lists; in the steady state a reload costs one round trip.
   */
  private Snapshot read(Scope scope) {
    String namespace = "/" + config.client().getNamespace();
    String base = namespace + ZkLayout.config(scope.path());
    String schemaBase = namespace + ZkLayout.CONFIG_SCHEMA + "/" + scope.path();
    String commit = base + "/" + ZkLayout.COMMIT;
    try {
      return RetryLoop.callWithRetry(
          config.client().getZookeeperClient(),
          () -> {
            ZooKeeper zk = config.client().getZookeeperClient().getZooKeeper();
            List<List<String>> names = known.getOrDefault(scope, List.of(List.of(), List.of()));
            for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
              List<String> keys = names.get(0);
              List<String> schemaKeys = names.get(1);
              List<Op> ops = new ArrayList<>();
              ops.add(Op.getData(commit));
              ops.add(Op.getChildren(base));
              ops.add(Op.getChildren(schemaBase));
              keys.forEach(key -> ops.add(Op.getData(base + "/" + key)));
              schemaKeys.forEach(key -> ops.add(Op.getData(schemaBase + "/" + key)));
              List<OpResult> results = zk.multi(ops);
              List<String> keysNow =
                  childrenOf(results.get(1)).stream()
                      .filter(n -> !n.equals(ZkLayout.COMMIT))
                      .sorted()
                      .toList();
              List<String> schemaKeysNow = childrenOf(results.get(2)).stream().sorted().toList();
              if (!keysNow.equals(keys) || !schemaKeysNow.equals(schemaKeys)) {
                names = List.of(keysNow, schemaKeysNow); // keys came or went: read those
                continue;
              }
              known.put(scope, names);
              Map<String, byte[]> values = new TreeMap<>();
              Map<String, byte[]> schemas = new TreeMap<>();
              long newest = 0;
              for (OpResult result : results) {
                if (result instanceof OpResult.GetDataResult data) {
                  newest = Math.max(newest, data.getStat().getMzxid());
                }
              }
              long seen = newest;
              readUpTo.merge(scope, seen, Math::max);
              for (int i = 0; i < keys.size(); i++) {
                if (results.get(3 + i) instanceof OpResult.GetDataResult data) {
                  values.put(keys.get(i), data.getData());
                }
              }
              for (int i = 0; i < schemaKeys.size(); i++) {
                if (results.get(3 + keys.size() + i) instanceof OpResult.GetDataResult data) {
                  schemas.put(schemaKeys.get(i), data.getData());
                }
              }
              return new Snapshot(versionOf(results.get(0)), values, schemas);
            }
            throw new IllegalStateException("config " + scope + " kept changing while being read");
          });
    } catch (Exception e) {
      throw config.session().failure("reading config " + scope, e);
    }
  }

  private static List<String> childrenOf(OpResult result) {
    return result instanceof OpResult.GetChildrenResult children
        ? children.getChildren()
        : List.of();
  }

  private static int versionOf(OpResult result) {
    return result instanceof OpResult.GetDataResult data ? data.getStat().getVersion() + 1 : 0;
  }

  @Override
  public Map<String, JsonNode> values() {
    return effective;
  }

  @Override
  public Optional<JsonNode> raw(String key) {
    return Optional.ofNullable(effective.get(key));
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    JsonNode value = effective.get(key);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(Json.MAPPER.treeToValue(value, type));
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
    bindings.add(binding);
    binding.update(effective.get(key));
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
    for (String id : lastKnownGood) {
      keys.add(id.substring(id.indexOf(' ') + 1));
    }
    return keys;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    forget.run();
    for (PersistentWatcher watcher : watchers) {
      watcher.close();
    }
    if (ack != null) {
      try {
        ack.close();
      } catch (IOException e) {
        LOG.warn("removing the applied-config node of {} failed: {}", memberId, e.toString());
      }
    }
    events.close();
  }

  @Override
  public String toString() {
    return "config view of " + scopes;
  }

  /** A typed holder of one key's current value. */
  private static final class DefaultLiveValue<T> implements LiveValue<T> {
    private final String key;
    private final Class<T> type;
    private final T defaultValue;
    private volatile T value;

    DefaultLiveValue(String key, Class<T> type, T defaultValue) {
      this.key = key;
      this.type = type;
      this.defaultValue = defaultValue;
      this.value = defaultValue;
    }

    void update(JsonNode node) {
      if (node == null) {
        value = defaultValue;
        return;
      }
      try {
        value = Json.MAPPER.treeToValue(node, type);
      } catch (IOException | IllegalArgumentException e) {
        // The value stays out of the log line: it may be a secret.
        LOG.warn(
            "config {} holds a JSON {} that does not convert to {}: keeping the last good value",
            key,
            node.getNodeType().name().toLowerCase(java.util.Locale.ROOT),
            type.getSimpleName());
      }
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public T get() {
      return value;
    }
  }
}
