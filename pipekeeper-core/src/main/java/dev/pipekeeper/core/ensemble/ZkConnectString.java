package dev.pipekeeper.core.ensemble;

import dev.pipekeeper.core.InvalidInputException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A parsed ZooKeeper connect string: {@code host:port[,host:port...][/chroot]}. A host without a
 * port gets 2181. IPv6 addresses are written in brackets ({@code [::1]:2181}).
 *
 * @param servers the servers in the order given
 * @param chroot the chroot path, if one was given
 */
public record ZkConnectString(List<HostAndPort> servers, Optional<String> chroot) {
  public static final int DEFAULT_PORT = 2181;
  private static final String WHAT = "ZooKeeper connect string";

  public ZkConnectString {
    servers = List.copyOf(servers);
  }

  /**
   * Parses a connect string.
   *
   * @throws InvalidInputException naming what is wrong: empty, a bad port, an empty server entry or
   *     a malformed chroot
   */
  public static ZkConnectString parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(WHAT + " is empty");
    }
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String hosts = slash < 0 ? trimmed : trimmed.substring(0, slash);
    Optional<String> chroot = Optional.empty();
    if (slash >= 0) {
      String path = trimmed.substring(slash);
      validateChroot(path, text);
      chroot = path.equals("/") ? Optional.empty() : Optional.of(path);
    }
    return new ZkConnectString(HostAndPort.parseList(hosts, DEFAULT_PORT, WHAT), chroot);
  }

  private static void validateChroot(String path, String whole) {
    if (path.length() > 1 && path.endsWith("/")) {
      throw new InvalidInputException("chroot of '" + whole + "' must not end with '/'");
    }
    if (path.contains("//")) {
      throw new InvalidInputException("chroot of '" + whole + "' has an empty path element");
    }
    for (String element : path.substring(1).split("/", -1)) {
      if (element.equals(".") || element.equals("..")) {
        throw new InvalidInputException(
            "chroot of '" + whole + "' must not contain '.' or '..' elements");
      }
    }
  }

  /** The servers part, without the chroot, as ZooKeeper's client expects it. */
  public String serversString() {
    return servers.stream().map(HostAndPort::toString).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return serversString() + chroot.orElse("");
  }
}
