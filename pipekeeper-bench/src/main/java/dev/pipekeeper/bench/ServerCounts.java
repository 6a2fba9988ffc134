package dev.pipekeeper.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's own counts at one moment ({@code mntr}): what it did since it started (watch
 * notifications, reads, writes, packets, bytes) and what it holds now (znodes, watches). A
 * difference of two readings is what happened between them.
 *
 * <p>Watch notifications are ZooKeeper's {@code ServerMetrics} summaries {@code
 * node_created_watch_count}, {@code node_deleted_watch_count}, {@code node_changed_watch_count} and
 * {@code node_children_watch_count}: each event adds the number of watchers it fired, so their
 * {@code zk_sum_...} is the number of notifications sent. Reads and writes are the counts of the
 * read and update latency summaries (one per request answered).
 */
record ServerCounts(Map<String, Long> values) {
  private static final List<String> NOTIFICATIONS =
      List.of(
          "zk_sum_node_created_watch_count",
          "zk_sum_node_deleted_watch_count",
          "zk_sum_node_changed_watch_count",
          "zk_sum_node_children_watch_count");

  ServerCounts {
    values = Map.copyOf(values);
  }

  static ServerCounts read(FourLetterWords server) {
    return new ServerCounts(server.mntrAll());
  }

  /** Counts minus {@code before}'s (for the gauges, too: what they grew by). */
  ServerCounts minus(ServerCounts before) {
    Map<String, Long> diff = new LinkedHashMap<>();
    values.forEach((key, value) -> diff.put(key, value - before.values.getOrDefault(key, 0L)));
    return new ServerCounts(diff);
  }

  /** The value of the first of {@code keys} that {@code mntr} has; -1 if it has none of them. */
  long get(String... keys) {
    for (String key : keys) {
      Long value = values.get(key);
      if (value != null) {
        return value;
      }
    }
    return -1;
  }

  /** Watch notifications sent to clients, of all four kinds. */
  long notifications() {
    return NOTIFICATIONS.stream().mapToLong(key -> Math.max(0, get(key))).sum();
  }

  long dataChangedNotifications() {
    return get("zk_sum_node_changed_watch_count");
  }

  long reads() {
    return get("zk_cnt_readlatency");
  }

  long writes() {
    return get("zk_cnt_updatelatency");
  }

  long packetsReceived() {
    return get("zk_packets_received");
  }

  long packetsSent() {
    return get("zk_packets_sent");
  }

  /** Bytes of the responses the server sent (reads' data included). */
  long responseBytes() {
    return get("zk_sum_response_bytes", "zk_response_bytes");
  }

  long znodes() {
    return get("zk_znode_count");
  }

  long watches() {
    return get("zk_watch_count");
  }
}
