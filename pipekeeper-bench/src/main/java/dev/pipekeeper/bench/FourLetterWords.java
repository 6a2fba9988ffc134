package dev.pipekeeper.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * What a ZooKeeper server says about itself through its four-letter-word commands ({@code mntr},
 * {@code wchs}, {@code wchc}, {@code dump}); the embedded servers answer all of them.
 */
final class FourLetterWords {
  private final String host;
  private final int port;

  FourLetterWords(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** One numeric value of {@code mntr}, e.g. {@code zk_znode_count}. */
  long mntr(String key) {
    for (String line : send("mntr").split("\n")) {
      String[] parts = line.split("\t");
      if (parts.length == 2 && parts[0].equals(key)) {
        return Long.parseLong(parts[1].trim());
      }
    }
    throw new IllegalStateException("mntr has no " + key);
  }

  /** Every numeric value of {@code mntr}, in the server's order. */
  Map<String, Long> mntrAll() {
    Map<String, Long> values = new LinkedHashMap<>();
    for (String line : send("mntr").split("\n")) {
      String[] parts = line.split("\t");
      if (parts.length == 2) {
        try {
          values.put(parts[0], Long.parseLong(parts[1].trim()));
        } catch (NumberFormatException notWhole) {
          // a version string, a state name or an average: not a count
        }
      }
    }
    return values;
  }

  /** The last line of {@code wchs}: {@code Total watches:K}. */
  long totalWatches() {
    for (String line : send("wchs").split("\n")) {
      if (line.startsWith("Total watches:")) {
        return Long.parseLong(line.substring("Total watches:".length()).trim());
      }
    }
    throw new IllegalStateException("wchs has no total");
  }

  /**
   * The packets the server has received from one session ({@code recved} in {@code cons}): its
   * reads, writes, watch registrations and pings, counted since the connection was made.
   *
   * @throws IllegalStateException if the server has no connection of that session
   */
  long received(long sessionId) {
    String sid = "sid=0x" + Long.toHexString(sessionId) + ",";
    for (String line : send("cons").split("\n")) {
      int at = line.indexOf(sid);
      int recved = line.indexOf("recved=");
      if (at >= 0 && recved >= 0) {
        int end = line.indexOf(',', recved);
        return Long.parseLong(line.substring(recved + "recved=".length(), end));
      }
    }
    throw new IllegalStateException(
        "cons has no connection of session 0x" + Long.toHexString(sessionId));
  }

  /** The paths one session watches ({@code wchc}). */
  List<String> watchesOf(long sessionId) {
    return section(send("wchc"), sessionId);
  }

  /** The ephemeral nodes one session owns ({@code dump}). */
  List<String> ephemeralsOf(long sessionId) {
    return section(send("dump"), sessionId);
  }

  /** The indented lines under the line that names the session (as {@code 0x...}). */
  private static List<String> section(String answer, long sessionId) {
    String header = "0x" + Long.toHexString(sessionId);
    List<String> lines = new ArrayList<>();
    boolean inside = false;
    for (String line : answer.split("\n")) {
      if (!line.startsWith("\t") && !line.startsWith(" ")) {
        inside = line.trim().replace(":", "").equalsIgnoreCase(header);
      } else if (inside) {
        lines.add(line.trim());
      }
    }
    return lines;
  }

  String send(String command) {
    try {
      return FourLetterWordMain.send4LetterWord(host, port, command, false, 5000);
    } catch (Exception e) {
      throw new IllegalStateException(command + " to " + host + ":" + port + " failed: " + e, e);
    }
  }
}
