package dev.pipekeeper.core.ensemble;

import dev.pipekeeper.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * A host and a port, as written in ZooKeeper connect strings and Kafka bootstrap server lists:
 * {@code host}, {@code host:port}, or {@code [ipv6]:port}.
 */
public record HostAndPort(String host, int port) {

  /**
   * Parses a comma-separated list of servers.
   *
   * @param text the list, e.g. {@code zk1:2181,zk2:2181}
   * @param defaultPort the port of an entry without one, or 0 if every entry must name its port
   * @param what what the list is, for error messages (e.g. "ZooKeeper connect string")
   * @throws InvalidInputException naming the entry and what is wrong with it
   */
  public static List<HostAndPort> parseList(String text, int defaultPort, String what) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(what + " is empty");
    }
    List<HostAndPort> servers = new ArrayList<>();
    for (String entry : text.split(",", -1)) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        throw new InvalidInputException(what + " '" + text + "' has an empty server entry");
      }
      servers.add(parse(trimmed, defaultPort));
    }
    return servers;
  }

  /**
   * Parses one {@code host[:port]} entry.
   *
   * @throws InvalidInputException naming the entry and what is wrong with it
   */
  public static HostAndPort parse(String entry, int defaultPort) {
    String host;
    String port = null;
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      if (close < 0) {
        throw new InvalidInputException("'" + entry + "' opens '[' without closing it");
      }
      host = entry.substring(1, close);
      String rest = entry.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new InvalidInputException("'" + entry + "' has text after ']' that is not a port");
        }
        port = rest.substring(1);
      }
    } else {
      int colon = entry.indexOf(':');
      if (colon >= 0 && entry.indexOf(':', colon + 1) >= 0) {
        throw new InvalidInputException(
            "'" + entry + "' has more than one ':'; write IPv6 addresses as [address]:port");
      }
      host = colon < 0 ? entry : entry.substring(0, colon);
      port = colon < 0 ? null : entry.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new InvalidInputException("'" + entry + "' has no host name");
    }
    if (!host.matches("[A-Za-z0-9._:%-]+")) {
      throw new InvalidInputException("'" + host + "' is not a valid host name");
    }
    if (port == null) {
      if (defaultPort <= 0) {
        throw new InvalidInputException("'" + entry + "' has no port");
      }
      return new HostAndPort(host, defaultPort);
    }
    return new HostAndPort(host, parsePort(port, entry));
  }

  private static int parsePort(String port, String entry) {
    int value;
    try {
      value = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "'" + entry + "' has a port that is not a number: '" + port + "'");
    }
    if (value < 1 || value > 65535) {
      throw new InvalidInputException("'" + entry + "' has port " + value + ", outside 1 to 65535");
    }
    return value;
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
