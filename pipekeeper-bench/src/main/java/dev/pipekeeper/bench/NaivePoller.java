package dev.pipekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.internal.ZkLayout;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The baseline of {@link MonitorBench}: what a monitor without watches would do once per
 * evaluation. It lists every group of {@code members} and {@code health} and reads and decodes
 * every member record and every health record, and every applied-configuration record, with plain
 * Curator {@code getChildren} and {@code getData} calls. It evaluates no rule and writes nothing,
 * so its cost is a lower bound of such a monitor's.
 */
final class NaivePoller {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final CuratorFramework client;
  private final String root;

  /** What one poll did. */
  record Poll(long reads, int records, long cpuNanos, long wallNanos) {}

  /**
   * @param client a started client without a namespace
   * @param cluster the Pipekeeper cluster to read
   */
  NaivePoller(CuratorFramework client, String cluster) {
    this.client = client;
    this.root = ZkLayout.root(cluster);
  }

  /** Reads everything once, on the calling thread; its CPU time is that thread's. */
  Poll poll() throws Exception {
    long cpu = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long[] reads = {0};
    List<JsonNode> records = new ArrayList<>();
    for (String base : List.of(ZkLayout.MEMBERS, ZkLayout.HEALTH)) {
      for (String group : children(root + base, reads)) {
        for (String id : children(root + base + "/" + group, reads)) {
          read(root + base + "/" + group + "/" + id, reads, records);
        }
      }
    }
    for (String id : children(root + ZkLayout.CONFIG_APPLIED, reads)) {
      read(root + ZkLayout.CONFIG_APPLIED + "/" + id, reads, records);
    }
    return new Poll(
        reads[0],
        records.size(),
        THREADS.getCurrentThreadCpuTime() - cpu,
        System.nanoTime() - start);
  }

  private List<String> children(String path, long[] reads) throws Exception {
    reads[0]++;
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      return List.of();
    }
  }

  private void read(String path, long[] reads, List<JsonNode> into) throws Exception {
    reads[0]++;
    byte[] data;
    try {
      data = client.getData().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      return; // left between the listing and the read
    }
    try {
      into.add(MAPPER.readTree(data));
    } catch (IOException unreadable) {
      // not JSON: a monitor would skip it too
    }
  }
}
