package dev.pipekeeper.core;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;

/**
 * The size of a ZooKeeper multi request, the one measure every writer that must fit in one request
 * uses (the config writer, the sink connector): a server drops the connection of a client that
 * sends more than its {@code jute.maxbuffer}, and the client's retries are dropped again.
 */
public final class MultiRequests {
  private MultiRequests() {}

  /**
   * The bytes a multi request of {@code ops} takes on the wire: its length prefix, its request
   * header (xid and type) and the serialized operations, each path longer by {@code chrootBytes}
   * (the chroot the connect string gives every path; 0 for none).
   */
  public static long size(List<Op> ops, int chrootBytes) {
    long[] count = {0};
    OutputStream counter =
        new OutputStream() {
          @Override
          public void write(int b) {
            count[0]++;
          }

          @Override
          public void write(byte[] b, int off, int len) {
            count[0] += len;
          }
        };
    try {
      new MultiOperationRecord(ops).serialize(BinaryOutputArchive.getArchive(counter), "request");
    } catch (IOException e) {
      throw new UncheckedIOException(e); // counting never fails
    }
    return 4 + 8 + count[0] + (long) ops.size() * chrootBytes;
  }
}
