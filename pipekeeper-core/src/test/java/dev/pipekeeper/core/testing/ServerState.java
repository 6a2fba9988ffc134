package dev.pipekeeper.core.testing;

import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * What a ZooKeeper server says about a session's watches and ephemeral nodes, from its own
 * four-letter-word commands: the leak checks of the tests.
 */
public final class ServerState {
  private ServerState() {}

  /** The server of the test's quorum that is its leader now. */
  public static ZooKeeperNode leader(TestCluster cluster) {
    return cluster.zookeeper().servers().stream()
        .filter(n -> send(n.clientAddress(), "srvr").contains("Mode: leader"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no ZooKeeper server is leader"));
  }

  /** Paths the session watches on this server ({@code wchc}). */
  public static List<String> watchesOf(String hostPort, long sessionId) {
    return section(send(hostPort, "wchc"), sessionId);
  }

  /** Ephemeral nodes the session owns ({@code dump}, answered by a leader or standalone). */
  public static List<String> ephemeralsOf(String hostPort, long sessionId) {
    return section(send(hostPort, "dump"), sessionId);
  }

  /**
   * Total watches on the server ({@code wchs}: "N connections watching M paths / Total watches:K").
   */
  public static int totalWatches(String hostPort) {
    for (String line : send(hostPort, "wchs").split("\n")) {
      if (line.startsWith("Total watches:")) {
        return Integer.parseInt(line.substring("Total watches:".length()).trim());
      }
    }
    throw new IllegalStateException("no watch count in wchs");
  }

  /** Value of one {@code mntr} key. */
  public static long mntr(String hostPort, String key) {
    for (String line : send(hostPort, "mntr").split("\n")) {
      String[] parts = line.split("\t");
      if (parts.length == 2 && parts[0].equals(key)) {
        return Long.parseLong(parts[1].trim());
      }
    }
    throw new IllegalStateException("no " + key + " in mntr");
  }

  private static List<String> section(String answer, long sessionId) {
    String header = "0x" + Long.toHexString(sessionId);
    List<String> paths = new ArrayList<>();
    boolean inside = false;
    for (String line : answer.split("\n")) {
      if (!line.startsWith("\t") && !line.startsWith(" ")) {
        inside = line.trim().replace(":", "").equalsIgnoreCase(header);
      } else if (inside) {
        paths.add(line.trim());
      }
    }
    return paths;
  }

  public static String send(String hostPort, String command) {
    int colon = hostPort.lastIndexOf(':');
    try {
      return FourLetterWordMain.send4LetterWord(
          hostPort.substring(0, colon),
          Integer.parseInt(hostPort.substring(colon + 1)),
          command,
          false,
          5000);
    } catch (Exception e) {
      throw new IllegalStateException(command + " to " + hostPort + " failed: " + e, e);
    }
  }
}
