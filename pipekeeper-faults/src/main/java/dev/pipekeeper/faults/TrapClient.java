package dev.pipekeeper.faults;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.ZooKeeperNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.curator.framework.state.ConnectionState;

/**
 * One process of a trap scenario, in the scenario's JVM: a real Pipekeeper connection (its own
 * ZooKeeper session) that reaches every server of the ensemble through a {@link TcpProxy} of its
 * own, so the scenario can cut, restore or delay this client's traffic alone; and its history.
 * Counts the RECONNECTED events Curator gave it. Not thread-safe, but the counters are.
 */
final class TrapClient implements AutoCloseable {
  private final String id;
  private final List<TcpProxy> proxies;
  private final Pipekeeper pk;
  private final HistoryLog history;
  private final AtomicInteger reconnects = new AtomicInteger();
  private final AtomicInteger losses = new AtomicInteger();

  private TrapClient(String id, List<TcpProxy> proxies, Pipekeeper pk, HistoryLog history) {
    this.id = id;
    this.proxies = proxies;
    this.pk = pk;
    this.history = history;
    pk.onConnectionStateChange(
        state -> {
          if (state == ConnectionState.RECONNECTED) {
            reconnects.incrementAndGet();
          } else if (state == ConnectionState.LOST) {
            losses.incrementAndGet();
          }
        });
  }

  /**
   * Connects {@code id} to {@code zk} through proxies of its own; its history goes to {@code dir}.
   */
  static TrapClient connect(
      EmbeddedZooKeeper zk, String cluster, String id, Duration session, Path dir) {
    List<TcpProxy> proxies = new ArrayList<>();
    for (ZooKeeperNode server : zk.servers()) {
      proxies.add(TcpProxy.start("127.0.0.1", server.clientPort()));
    }
    String connect = proxies.stream().map(TcpProxy::address).collect(Collectors.joining(","));
    Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(connect)
            .cluster(cluster)
            .identity(id)
            .sessionTimeout(session)
            .connectionTimeout(Duration.ofSeconds(30))
            .build();
    return new TrapClient(id, proxies, pk, HistoryLog.open(dir, id));
  }

  String id() {
    return id;
  }

  Pipekeeper pk() {
    return pk;
  }

  HistoryLog history() {
    return history;
  }

  /** The id of its ZooKeeper session now (a new one after an expiry). */
  long sessionId() {
    return pk.sessionId();
  }

  /** How many times Curator told it RECONNECTED. */
  int reconnects() {
    return reconnects.get();
  }

  /** How many times Curator told it LOST (its session expired, or was given up as expired). */
  int losses() {
    return losses.get();
  }

  /** Resets its connections and refuses new ones until {@link #restore()}. */
  void cut() {
    proxies.forEach(TcpProxy::cut);
  }

  void restore() {
    proxies.forEach(TcpProxy::restore);
  }

  /** Holds every byte of its traffic {@code delay} each way ({@link Duration#ZERO}: none). */
  void delay(Duration delay) {
    proxies.forEach(proxy -> proxy.delay(delay));
  }

  @Override
  public void close() {
    proxies.forEach(TcpProxy::restore);
    proxies.forEach(proxy -> proxy.delay(Duration.ZERO));
    try {
      pk.close();
    } finally {
      proxies.forEach(TcpProxy::close);
      history.close();
    }
  }
}
