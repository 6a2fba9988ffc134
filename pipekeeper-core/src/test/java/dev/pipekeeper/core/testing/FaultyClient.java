package dev.pipekeeper.core.testing;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.ZooKeeperNode;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Pipekeeper connection that reaches every ZooKeeper server through its own {@link TcpProxy}, so
 * a test can cut this one client off (shorter or longer than its session) while others keep
 * working.
 */
public final class FaultyClient implements AutoCloseable {
  public static final Duration SESSION = Duration.ofSeconds(2);

  private final List<TcpProxy> proxies;
  private final Pipekeeper pk;

  private FaultyClient(List<TcpProxy> proxies, Pipekeeper pk) {
    this.proxies = proxies;
    this.pk = pk;
  }

  public static FaultyClient connect(TestCluster cluster, String identity) {
    List<TcpProxy> proxies = new ArrayList<>();
    for (ZooKeeperNode node : cluster.zookeeper().servers()) {
      proxies.add(TcpProxy.start("127.0.0.1", node.clientPort()));
    }
    String connect = proxies.stream().map(TcpProxy::address).collect(Collectors.joining(","));
    return new FaultyClient(
        proxies, Clients.connect(connect, cluster.cluster(), identity, SESSION));
  }

  public Pipekeeper pk() {
    return pk;
  }

  /** Breaks every connection of this client at once; reconnects fail until restore. */
  public void cut() {
    proxies.forEach(TcpProxy::cut);
  }

  /** Silences this client: connections stay open but nothing gets through until restore. */
  public void blackhole() {
    proxies.forEach(TcpProxy::blackhole);
  }

  public void restore() {
    proxies.forEach(TcpProxy::restore);
  }

  @Override
  public void close() {
    restore();
    pk.close();
    proxies.forEach(TcpProxy::close);
  }
}
