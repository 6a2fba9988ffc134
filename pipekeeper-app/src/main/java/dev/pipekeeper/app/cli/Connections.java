package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.UnreachableException;
import dev.pipekeeper.core.ensemble.HostAndPort;
import dev.pipekeeper.core.ensemble.ZkConnectString;
import dev.pipekeeper.core.security.ZooKeeperClientFile;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The one place that opens the Pipekeeper connection a command works with, from the {@link
 * ConnectionOptions.ZooKeeper} options.
 */
final class Connections {
  private Connections() {}

  /** How long the first look at each server may take; a slower one is left to the client. */
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);

  /** The identity of a one-shot command's connection. */
  private static final String CLI_IDENTITY = "pipekeeper-cli-" + ProcessHandle.current().pid();

  /**
   * Connects to {@code --zk} under {@code --cluster}, waiting at most {@code --connect-timeout}, to
   * read: a chroot in {@code --zk} that does not exist is reported, not created.
   *
   * @throws dev.pipekeeper.core.UnreachableException (exit 1) if ZooKeeper does not answer
   * @throws dev.pipekeeper.core.PipekeeperException (exit 1) if the chroot does not exist
   * @throws dev.pipekeeper.core.InvalidInputException (exit 2) for a malformed address or name
   */
  static Pipekeeper open(ConnectionOptions.ZooKeeper zk) {
    return open(zk, CLI_IDENTITY, null, false);
  }

  /**
   * {@link #open} to write: a chroot in {@code --zk} that does not exist is created, as members
   * create it.
   */
  static Pipekeeper openToWrite(ConnectionOptions.ZooKeeper zk) {
    return open(zk, CLI_IDENTITY, null, true);
  }

  /**
   * {@link #openToWrite} for a command that runs as a member of the cluster ({@code run}, {@code
   * monitor}): under its own identity, with the session timeout that bounds how soon others take
   * over when it dies.
   */
  static Pipekeeper openAsMember(
      ConnectionOptions.ZooKeeper zk, String identity, Duration sessionTimeout) {
    return open(zk, identity, sessionTimeout, true);
  }

  /** The one place that builds a command's connection; a null session timeout is the default. */
  private static Pipekeeper open(
      ConnectionOptions.ZooKeeper zk,
      String identity,
      Duration sessionTimeout,
      boolean createChroot) {
    refuseAtOnceIfEveryServerRefuses(zk.connectString);
    var builder =
        Pipekeeper.builder()
            .zookeeper(zk.connectString)
            .cluster(zk.cluster)
            .identity(identity)
            .connectionTimeout(zk.connectTimeout)
            .createChroot(createChroot);
    if (sessionTimeout != null) {
      builder.sessionTimeout(sessionTimeout);
    }
    if (zk.zkConfig != null) {
      ZooKeeperClientFile.load(zk.zkConfig).applyTo(builder);
    }
    return builder.build();
  }

  /**
   * Fails at once when every server of {@code connectString} refuses a TCP connection or has no
   * address: the ZooKeeper client would only find that out after its connection timeout. Any other
   * outcome (a server accepts, or does not answer within {@link #PROBE_TIMEOUT}) is left to the
   * client.
   */
  private static void refuseAtOnceIfEveryServerRefuses(String connectString) {
    List<HostAndPort> servers = ZkConnectString.parse(connectString).servers();
    List<String> reasons = new ArrayList<>();
    for (HostAndPort server : servers) {
      String who = servers.size() == 1 ? "" : " (" + server + ")";
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress(server.host(), server.port()), (int) PROBE_TIMEOUT.toMillis());
        return;
      } catch (ConnectException refused) {
        reasons.add("connection refused" + who);
      } catch (UnknownHostException unknown) {
        reasons.add("no address for " + server.host());
      } catch (IOException notDecided) {
        return;
      }
    }
    throw new UnreachableException("ZooKeeper", connectString, String.join(", ", reasons));
  }

  /**
   * What {@code read} gives for {@code group}, or for every group {@code groups} lists when {@code
   * group} is null, by group name, over one connection.
   *
   * @throws dev.pipekeeper.core.InvalidInputException (exit 2) for a malformed group name
   */
  static <T> Map<String, T> perGroup(
      ConnectionOptions.ZooKeeper zk,
      String group,
      Function<Pipekeeper, List<String>> groups,
      BiFunction<Pipekeeper, String, T> read) {
    if (group != null) {
      Names.check("group", group);
    }
    Map<String, T> byGroup = new TreeMap<>();
    try (Pipekeeper pk = open(zk)) {
      for (String g : group != null ? List.of(group) : groups.apply(pk)) {
        byGroup.put(g, read.apply(pk, g));
      }
    }
    return byGroup;
  }
}
