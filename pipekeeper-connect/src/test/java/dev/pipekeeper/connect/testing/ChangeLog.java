package dev.pipekeeper.connect.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.embedded.junit.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The source connector's topic as a test reads it: every record in order, the state it leaves (last
 * record per path, a tombstone removing it), and the invariants every stream must keep.
 */
public final class ChangeLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One record; {@code change} is null for a tombstone. */
  public record Entry(
      String path,
      String change,
      String data,
      long czxid,
      long mzxid,
      int version,
      int versionsSkipped,
      String skippedHeader) {
    public boolean tombstone() {
      return change == null;
    }
  }

  /** What a node is, as ZooKeeper or the topic says. */
  public record NodeState(String data, long czxid, long mzxid, int version) {}

  private final List<Entry> entries;

  private ChangeLog(List<Entry> entries) {
    this.entries = entries;
  }

  /** Every committed record of {@code topic} now. */
  public static ChangeLog read(String bootstrapServers, String topic) {
    List<Entry> entries = new ArrayList<>();
    for (ConsumerRecord<String, String> record :
        TopicReader.readCommitted(bootstrapServers, topic)) {
      Header header = record.headers().lastHeader("pipekeeper.versions.skipped");
      String skipped = header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
      if (record.value() == null) {
        entries.add(new Entry(record.key(), null, null, 0, 0, 0, 0, skipped));
        continue;
      }
      JsonNode value;
      try {
        value = JSON.readTree(record.value());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      JsonNode data = value.get("data");
      entries.add(
          new Entry(
              value.get("path").asText(),
              value.get("change").asText(),
              data == null || data.isNull() ? null : data.asText(),
              value.get("czxid").asLong(),
              value.get("mzxid").asLong(),
              value.get("version").asInt(),
              value.get("versionsSkipped").asInt(),
              skipped));
    }
    return new ChangeLog(entries);
  }

  /** No records (a topic not created yet). */
  public static ChangeLog empty() {
    return new ChangeLog(List.of());
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The records after the first {@code n}. */
  public List<Entry> after(int n) {
    return entries.subList(Math.min(n, entries.size()), entries.size());
  }

  /** The state the records leave: the last record of each path, tombstones removing. */
  public Map<String, NodeState> state() {
    Map<String, NodeState> state = new TreeMap<>();
    for (Entry e : entries) {
      if (e.tombstone()) {
        state.remove(e.path());
      } else if (!e.change().equals("DELETED")) {
        state.put(e.path(), new NodeState(e.data(), e.czxid(), e.mzxid(), e.version()));
      }
    }
    return state;
  }

  /**
   * Checks what every stream keeps: keys are the paths; a DELETED record is followed by the path's
   * tombstone, and a tombstone follows only a DELETED record; records of a path are in mzxid order;
   * {@code versionsSkipped} is the version jump less one since the path's last record (a CREATED
   * node's whole version, 0 for a SNAPSHOT), and the header is there exactly when it is positive.
   */
  public void checkInvariants() {
    Map<String, Entry> last = new HashMap<>();
    for (Entry e : entries) {
      Entry before = last.get(e.path());
      if (e.tombstone()) {
        assertThat(before).as("what precedes the tombstone of %s", e.path()).isNotNull();
        assertThat(before.change()).as("before the tombstone of %s", e.path()).isEqualTo("DELETED");
        last.remove(e.path());
        continue;
      }
      assertThat(e.skippedHeader() != null)
          .as("header of %s", e)
          .isEqualTo(e.versionsSkipped() > 0);
      if (e.skippedHeader() != null) {
        assertThat(Integer.parseInt(e.skippedHeader())).isEqualTo(e.versionsSkipped());
      }
      if (before != null) {
        assertThat(before.change()).as("before %s", e).isNotEqualTo("DELETED");
        assertThat(e.mzxid())
            .as("mzxid order of %s", e.path())
            .isGreaterThanOrEqualTo(before.mzxid());
      }
      switch (e.change()) {
        case "SNAPSHOT" -> {
          assertThat(before).as("a snapshot record is a path's first: %s", e).isNull();
          assertThat(e.versionsSkipped()).isZero();
        }
        case "CREATED" -> {
          assertThat(before).as("a created record is a path's first: %s", e).isNull();
          assertThat(e.versionsSkipped()).as("%s", e).isEqualTo(e.version());
        }
        case "CHANGED" -> {
          assertThat(before).as("a changed record follows one: %s", e).isNotNull();
          assertThat(e.czxid()).isEqualTo(before.czxid());
          assertThat(e.mzxid()).as("a change moves mzxid: %s", e).isGreaterThan(before.mzxid());
          assertThat(e.versionsSkipped())
              .as("%s after %s", e, before)
              .isEqualTo(e.version() - before.version() - 1);
        }
        case "DELETED" -> {
          assertThat(before).as("a deleted record follows one: %s", e).isNotNull();
          assertThat(e.czxid()).isEqualTo(before.czxid());
        }
        default -> throw new AssertionError("unknown change " + e);
      }
      last.put(e.path(), e);
    }
    assertThat(last.values().stream().filter(e -> e.change().equals("DELETED")))
        .as("every delete has its tombstone")
        .isEmpty();
  }

  /** Every node of the subtree at {@code root} as ZooKeeper has it now (data as UTF-8). */
  public static Map<String, NodeState> zooKeeper(CuratorFramework client, String root)
      throws Exception {
    Map<String, NodeState> state = new TreeMap<>();
    walk(client, root, state);
    return state;
  }

  private static void walk(CuratorFramework client, String path, Map<String, NodeState> state)
      throws Exception {
    Stat stat = new Stat();
    byte[] data;
    List<String> children;
    try {
      data = client.getData().storingStatIn(stat).forPath(path);
      children = client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return;
    }
    state.put(
        path,
        new NodeState(
            data == null ? "" : new String(data, StandardCharsets.UTF_8),
            stat.getCzxid(),
            stat.getMzxid(),
            stat.getVersion()));
    for (String child : children) {
      walk(client, ZKPaths.makePath(path, child), state);
    }
  }
}
