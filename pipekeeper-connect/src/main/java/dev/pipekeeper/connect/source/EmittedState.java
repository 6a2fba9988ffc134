package dev.pipekeeper.connect.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * What a task last emitted for each node of one subtree, split into {@link #BUCKETS} buckets by
 * path; each bucket is one Connect source partition whose offset holds the bucket's whole state.
 * Every record carries the state of its path's bucket as it is after the record, so the offsets
 * Connect commits are exactly what was emitted, and a restart reads them back by naming the buckets
 * (an {@code OffsetStorageReader} reads only partitions it can name; a partition per path could not
 * tell which paths were deleted while the task was stopped). A bucket's offset grows with the
 * number of its paths: the state is sized for coordination and configuration trees (thousands of
 * nodes), not for millions. Not thread-safe: the task's poll thread owns it.
 */
final class EmittedState {
  /** The number of source partitions of a subtree: fixed, as stored offsets depend on it. */
  static final int BUCKETS = 32;

  static final String SUBTREE_KEY = "subtree";
  static final String BUCKET_KEY = "bucket";
  static final String FORMAT_KEY = "format";
  static final String NODES_KEY = "nodes";
  static final String FORMAT = "1";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The last record emitted for a node: its creation, its last change and version; {@code deleting}
   * when its delete record was emitted and its tombstone not yet.
   */
  record Node(long czxid, long mzxid, int version, boolean deleting) {}

  private final String subtree;
  private final List<TreeMap<String, Node>> buckets = new ArrayList<>();
  private final boolean restored;

  private EmittedState(String subtree, boolean restored) {
    this.subtree = subtree;
    this.restored = restored;
    for (int i = 0; i < BUCKETS; i++) {
      buckets.add(new TreeMap<>());
    }
  }

  /** An empty state, as for a subtree never streamed. */
  static EmittedState empty(String subtree) {
    return new EmittedState(subtree, false);
  }

  /**
   * The state the committed offsets of {@code subtree} describe.
   *
   * @throws ConnectException if a stored offset cannot be read
   */
  static EmittedState load(String subtree, OffsetStorageReader reader) {
    List<Map<String, Object>> partitions = new ArrayList<>();
    for (int i = 0; i < BUCKETS; i++) {
      partitions.add(partition(subtree, i));
    }
    Map<Map<String, Object>, Map<String, Object>> offsets = reader.offsets(partitions);
    boolean any = offsets != null && offsets.values().stream().anyMatch(o -> o != null);
    EmittedState state = new EmittedState(subtree, any);
    if (!any) {
      return state;
    }
    for (int i = 0; i < BUCKETS; i++) {
      Map<String, Object> offset = offsets.get(partitions.get(i));
      if (offset != null) {
        state.decode(i, offset);
      }
    }
    return state;
  }

  /** The source partition of one bucket of {@code subtree}. */
  static Map<String, Object> partition(String subtree, int bucket) {
    Map<String, Object> partition = new HashMap<>();
    partition.put(SUBTREE_KEY, subtree);
    partition.put(BUCKET_KEY, Integer.toString(bucket));
    return partition;
  }

  static int bucketOf(String path) {
    return Math.floorMod(path.hashCode(), BUCKETS);
  }

  /** Whether the state came from committed offsets (false: the subtree was never streamed). */
  boolean restored() {
    return restored;
  }

  String subtree() {
    return subtree;
  }

  Node get(String path) {
    return buckets.get(bucketOf(path)).get(path);
  }

  void put(String path, Node node) {
    buckets.get(bucketOf(path)).put(path, node);
  }

  void remove(String path) {
    buckets.get(bucketOf(path)).remove(path);
  }

  /** Every path the state holds, parents before children. */
  Set<String> paths() {
    Set<String> all = new TreeSet<>();
    buckets.forEach(b -> all.addAll(b.keySet()));
    return all;
  }

  int size() {
    return buckets.stream().mapToInt(Map::size).sum();
  }

  Map<String, Object> partitionOf(String path) {
    return partition(subtree, bucketOf(path));
  }

  /** The offset of {@code path}'s bucket as the state is now. */
  Map<String, Object> offsetOf(String path) {
    TreeMap<String, Node> bucket = buckets.get(bucketOf(path));
    ObjectNode nodes = JSON.createObjectNode();
    for (Map.Entry<String, Node> entry : bucket.entrySet()) {
      Node node = entry.getValue();
      ArrayNode array = nodes.putArray(entry.getKey());
      array.add(node.czxid()).add(node.mzxid()).add(node.version());
      if (node.deleting()) {
        array.add(1);
      }
    }
    Map<String, Object> offset = new HashMap<>();
    offset.put(FORMAT_KEY, FORMAT);
    try {
      offset.put(NODES_KEY, JSON.writeValueAsString(nodes));
    } catch (JsonProcessingException e) {
      throw new ConnectException("cannot encode the offset of " + subtree, e);
    }
    return offset;
  }

  private void decode(int bucket, Map<String, Object> offset) {
    Object format = offset.get(FORMAT_KEY);
    if (!FORMAT.equals(String.valueOf(format))) {
      throw new ConnectException(
          "the stored offset of " + subtree + " bucket " + bucket + " has format " + format);
    }
    try {
      JsonNode nodes = JSON.readTree(String.valueOf(offset.get(NODES_KEY)));
      for (Map.Entry<String, JsonNode> field : nodes.properties()) {
        JsonNode array = field.getValue();
        buckets
            .get(bucket)
            .put(
                field.getKey(),
                new Node(
                    array.get(0).asLong(),
                    array.get(1).asLong(),
                    array.get(2).asInt(),
                    array.size() > 3 && array.get(3).asInt() == 1));
      }
    } catch (JsonProcessingException | RuntimeException e) {
      throw new ConnectException(
          "cannot read the stored offset of " + subtree + " bucket " + bucket, e);
    }
  }
}
