package dev.pipekeeper.connect.sink;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;

/**
 * Whether a multi-op fits in one ZooKeeper request: a server drops the connection of a client that
 * sends more than its {@code jute.maxbuffer}, and the client's retries are dropped again, so a
 * record whose commands are too large would be retried for ever. Measured as core's config writer
 * measures its changes: the request's own serialization, each path longer by the chroot, against
 * the client's {@code jute.maxbuffer} less a margin for what the server adds.
 */
final class RequestSize {
  /** What a request leaves free of {@code jute.maxbuffer} (the server's transaction is larger). */
  static final int MARGIN_BYTES = 8 * 1024;

  private RequestSize() {}

  /** Null if {@code ops} fit in one request of {@code client}'s, else why not (one line). */
  static String check(CuratorFramework client, List<CuratorOp> ops) throws Exception {
    ZKClientConfig config = client.getZookeeperClient().getZooKeeper().getClientConfig();
    int maxBuffer =
        config == null
            ? ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT
            : config.getInt(
                ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
    String chroot =
        new ConnectStringParser(client.getZookeeperClient().getCurrentConnectionString())
            .getChrootPath();
    int chrootBytes = chroot == null ? 0 : chroot.getBytes(StandardCharsets.UTF_8).length;
    long size = size(ops.stream().map(CuratorOp::get).toList(), chrootBytes);
    long limit = (long) maxBuffer - MARGIN_BYTES;
    return size <= limit
        ? null
        : "the record's commands are "
            + size
            + " bytes as one ZooKeeper request, over the "
            + limit
            + " bytes one request may carry (jute.maxbuffer "
            + maxBuffer
            + " less "
            + MARGIN_BYTES
            + ")";
  }

  /** The bytes a multi request of {@code ops} takes on the wire. */
  static long size(List<Op> ops, int chrootBytes) {
    return dev.pipekeeper.core.MultiRequests.size(ops, chrootBytes);
  }
}
