package dev.pipekeeper.connect.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.config.ExtraWrite;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The sink's offsets in ZooKeeper: one node per topic-partition, {@code OFFSETS/TOPIC-PARTITION},
 * holding the offset of the next record to apply ({@code {"topic", "partition", "next"}}). It is
 * written in the same multi-op as each record's commands, at the version last read or written, so
 * that a record is applied once and a task that lost its partition (a zombie) cannot write after
 * the one that took it over.
 */
final class PartitionMarks {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the offsets node of a partition says.
   *
   * @param next the offset of the next record to apply (0 when the node does not exist)
   * @param version the node's version, -1 if it does not exist
   */
  record Mark(long next, int version) {
    static final Mark NONE = new Mark(0, -1);

    /** The mark after writing {@code next} on this one. */
    Mark advancedTo(long nextOffset) {
      return new Mark(nextOffset, version + 1);
    }
  }

  private final CuratorFramework client;
  private final String root;

  PartitionMarks(CuratorFramework client, String root) {
    this.client = client;
    this.root = root;
  }

  /** Creates the offsets node (persistent, with its parents) if it does not exist. */
  void ensureRoot() throws Exception {
    if (client.checkExists().forPath(root) == null) {
      try {
        client.create().creatingParentsIfNeeded().forPath(root);
      } catch (KeeperException.NodeExistsException raced) {
        // another task made it first
      }
    }
  }

  /** The offsets node of {@code tp}. */
  String path(TopicPartition tp) {
    return root + "/" + tp.topic() + "-" + tp.partition();
  }

  /** Reads the mark of {@code tp} from ZooKeeper. */
  Mark read(TopicPartition tp) throws Exception {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = client.getData().storingStatIn(stat).forPath(path(tp));
    } catch (KeeperException.NoNodeException e) {
      return Mark.NONE;
    }
    try {
      JsonNode node = JSON.readTree(data);
      JsonNode next = node == null ? null : node.get("next");
      if (next == null || !next.canConvertToLong() || next.longValue() < 0) {
        throw new IOException("no \"next\" offset");
      }
      return new Mark(next.longValue(), stat.getVersion());
    } catch (IOException e) {
      throw new ConnectException(
          "the sink's offsets node "
              + path(tp)
              + " is not what the sink writes ("
              + e.getMessage()
              + "); fix or delete it (deleting it replays the partition from Connect's offset)");
    }
  }

  /** The data of the offsets node of {@code tp} saying {@code next}. */
  byte[] encode(TopicPartition tp, long next) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("topic", tp.topic());
    record.put("partition", tp.partition());
    record.put("next", next);
    try {
      return JSON.writeValueAsBytes(record);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a map of strings and numbers always writes
    }
  }

  /** The operation that moves {@code tp}'s mark from {@code current} to {@code next}. */
  CuratorOp op(TopicPartition tp, Mark current, long next) throws Exception {
    return current.version() < 0
        ? client
            .transactionOp()
            .create()
            .withMode(CreateMode.PERSISTENT)
            .forPath(path(tp), encode(tp, next))
        : client
            .transactionOp()
            .setData()
            .withVersion(current.version())
            .forPath(path(tp), encode(tp, next));
  }

  /** The same move as an extra write of a configuration change. */
  ExtraWrite extra(TopicPartition tp, Mark current, long next) {
    return new ExtraWrite(path(tp), encode(tp, next), current.version());
  }
}
