package dev.pipekeeper.core.leader.internal;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.internal.ZkLayout;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Fencing epochs in {@code epochs/ROLE}: a decimal number, raised by one with a versioned
 * compare-and-set on every takeover, so it strictly increases whoever writes it, also across a
 * retirement that removed the node (the next one starts after the retired epoch).
 */
public final class Epochs {
  private Epochs() {}

  /** An epoch and the version of the node that holds it. */
  record Epoch(long value, int version) {}

  /** Raises the role's epoch by one and returns the new value with its node version. */
  static Epoch next(CuratorFramework client, String role) throws Exception {
    String path = ZkLayout.epoch(role);
    while (true) {
      Stat stat = new Stat();
      byte[] data;
      try {
        data = client.getData().storingStatIn(stat).forPath(path);
      } catch (KeeperException.NoNodeException none) {
        // a role retired with its nodes removed goes on from the epoch it ended at
        long first = RoleRetirements.retiredEpoch(client, role) + 1;
        try {
          client.create().creatingParentsIfNeeded().forPath(path, encode(first));
          return new Epoch(first, 0);
        } catch (KeeperException.NodeExistsException raced) {
          continue;
        }
      }
      long next = decode(data) + 1;
      try {
        Stat written = client.setData().withVersion(stat.getVersion()).forPath(path, encode(next));
        return new Epoch(next, written.getVersion());
      } catch (KeeperException.BadVersionException raced) {
        // another contender raised it first: read again
      }
    }
  }

  /**
   * An epoch node that holds no number: written behind Pipekeeper's back. A failure of stored data
   * ({@code failed}, exit 1), not a bug: the role is listed with it, and nobody leads it until the
   * node is repaired.
   */
  public static final class Unreadable extends PipekeeperException {
    Unreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The role's current epoch, or 0 if it never had a leader.
   *
   * @throws Unreadable if the epoch node holds no number
   */
  public static long current(CuratorFramework client, String role) throws Exception {
    try {
      return decode(client.getData().forPath(ZkLayout.epoch(role)));
    } catch (KeeperException.NoNodeException none) {
      return 0;
    }
  }

  private static byte[] encode(long epoch) {
    return Long.toString(epoch).getBytes(StandardCharsets.UTF_8);
  }

  private static long decode(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      // Someone wrote garbage: keep increasing from zero would break monotonicity, so refuse.
      // The garbage is quoted on one line: it may hold anything, line breaks included.
      throw new Unreadable(
          "epoch node holds "
              + Names.quote(text)
              + ", not a number (written behind Pipekeeper's back)",
          e);
    }
  }
}
