package dev.pipekeeper.core.internal;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * The records under a folder, {@code BASE/GROUP/ID} (depth 2) or {@code BASE/ID} (depth 1), kept
 * current by one {@link CuratorCache} (one persistent recursive watch) and decoded once per change,
 * so reading them costs no ZooKeeper call. Listeners run on Curator's event thread: keep them to
 * bookkeeping.
 */
public final class WatchedTree<T> implements AutoCloseable {
  /** What changed: a record came (before null), changed, or went (after null). */
  public interface Listener<T> {
    void changed(String group, String id, T before, T after);
  }

  private final Session session;
  private final String base;
  private final int depth;
  private final BiFunction<String, byte[], Optional<T>> decode;
  private final CuratorCache cache;
  private final Map<String, T> records = new ConcurrentHashMap<>();
  private final CountDownLatch initialized = new CountDownLatch(1);
  private final AtomicLong reads = new AtomicLong();
  private final Listener<T> listener;

  public WatchedTree(
      Session session,
      String base,
      int depth,
      BiFunction<String, byte[], Optional<T>> decode,
      Listener<T> listener) {
    this.session = session;
    this.base = base;
    this.depth = depth;
    this.decode = decode;
    this.listener = listener;
    this.cache = CuratorCache.build(session.client(), base);
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreates(node -> update(node.getPath(), node))
                .forChanges((before, after) -> update(after.getPath(), after))
                .forDeletes(node -> remove(node.getPath()))
                .forInitialized(initialized::countDown)
                .build());
  }

  /** Starts watching and waits for the first load. */
  public void start() {
    start(base);
  }

  /**
   * Starts watching and waits for the first load; {@code what} names the records in the error.
   *
   * @throws dev.pipekeeper.core.UnreachableException if they did not load within the connection
   *     timeout ("{@code what} not loaded in time")
   */
  public void start(String what) {
    session.awaitConnected(session.connectionTimeout());
    cache.start();
    try {
      if (!initialized.await(session.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw session.unreachable(what + " not loaded in time");
      }
    } catch (InterruptedException e) {
      throw session.failure("loading " + what, e);
    }
  }

  /** ZooKeeper reads the cache made (one per node created or changed). */
  public long reads() {
    return reads.get();
  }

  private void update(String path, ChildData node) {
    String[] parts = parts(path);
    if (parts == null) {
      return;
    }
    reads.incrementAndGet();
    Optional<T> decoded = decode.apply(path, node.getData());
    T before = decoded.isPresent() ? records.put(path, decoded.get()) : records.remove(path);
    if (listener != null && (before != null || decoded.isPresent())) {
      listener.changed(parts[0], parts[1], before, decoded.orElse(null));
    }
  }

  private void remove(String path) {
    String[] parts = parts(path);
    if (parts == null) {
      return;
    }
    T before = records.remove(path);
    if (listener != null && before != null) {
      listener.changed(parts[0], parts[1], before, null);
    }
  }

  /** {group, id} of a record's path (group empty at depth 1), or null for a folder. */
  private String[] parts(String path) {
    if (!path.startsWith(base + "/")) {
      return null;
    }
    String[] rest = path.substring(base.length() + 1).split("/");
    if (rest.length != depth) {
      return null;
    }
    return depth == 2 ? rest : new String[] {"", rest[0]};
  }

  /** group → id → record now (group {@code ""} at depth 1). */
  public Map<String, Map<String, T>> byGroup() {
    Map<String, Map<String, T>> out = new TreeMap<>();
    records.forEach(
        (path, record) -> {
          String[] parts = parts(path);
          if (parts != null) {
            out.computeIfAbsent(parts[0], g -> new TreeMap<>()).put(parts[1], record);
          }
        });
    return out;
  }

  @Override
  public void close() {
    cache.close();
  }
}
