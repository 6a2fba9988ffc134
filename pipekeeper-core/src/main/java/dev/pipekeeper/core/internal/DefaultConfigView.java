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
import java.util.HashSet;
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
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
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
      watcher.getListenable().addListener(event -> schedule(scope));
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
    Set<String> schemaKeys = schemaKeys(scope);
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
        } else if (schemaKeys.contains(key)) {
          List<String> errors =
              config.schema(scope, key).map(s -> SchemaCheck.errors(s, parsed)).orElse(List.of());
          if (!errors.isEmpty()) {
            problem = Optional.of("does not match its schema: " + String.join("; ", errors));
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

  private Set<String> schemaKeys(Scope scope) {
    try {
      return new HashSet<>(
          config.client().getChildren().forPath(ZkLayout.CONFIG_SCHEMA + "/" + scope.path()));
    } catch (KeeperException.NoNodeException none) {
      return Set.of();
    } catch (Exception e) {
      throw config.session().failure("listing schemas of " + scope, e);
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

  /** The scope's keys at one point in time, and its version at that point. */
  private record Snapshot(int version, Map<String, byte[]> values) {}

  private Snapshot read(Scope scope) {
    String base = "/" + config.client().getNamespace() + ZkLayout.config(scope.path());
    String commit = base + "/" + ZkLayout.COMMIT;
    try {
      return RetryLoop.callWithRetry(
          config.client().getZookeeperClient(),
          () -> {
            ZooKeeper zk = config.client().getZookeeperClient().getZooKeeper();
            for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
              Stat before = zk.exists(commit, false);
              List<String> names;
              try {
                names = zk.getChildren(base, false);
              } catch (KeeperException.NoNodeException none) {
                return new Snapshot(0, Map.of());
              }
              List<String> keys =
                  names.stream().filter(n -> !n.equals(ZkLayout.COMMIT)).sorted().toList();
              List<Op> ops = new ArrayList<>();
              ops.add(Op.getData(commit));
              keys.forEach(key -> ops.add(Op.getData(base + "/" + key)));
              List<OpResult> results = zk.multi(ops);
              int version = versionOf(results.get(0));
              int expected = before == null ? 0 : before.getVersion() + 1;
              if (version != expected) {
                continue; // a change landed between listing and reading: read again
              }
              Map<String, byte[]> values = new TreeMap<>();
              for (int i = 0; i < keys.size(); i++) {
                if (results.get(i + 1) instanceof OpResult.GetDataResult data) {
                  values.put(keys.get(i), data.getData());
                }
              }
              return new Snapshot(version, values);
            }
            throw new IllegalStateException("config " + scope + " kept changing while being read");
          });
    } catch (Exception e) {
      throw config.session().failure("reading config " + scope, e);
    }
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
