package dev.pipekeeper.embedded;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.embedded.TcpProxy.Mode;
import dev.pipekeeper.embedded.internal.FreePorts;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpProxyIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  private static EmbeddedZooKeeper zk;

  @BeforeAll
  static void startZooKeeper() {
    zk = EmbeddedZooKeeper.builder().build().start();
  }

  @AfterAll
  static void stopZooKeeper() {
    zk.close();
  }

  @Test
  void forwardsAZooKeeperClient() throws Exception {
    byte[] large = new byte[256 * 1024]; // many buffers' worth, both ways
    new Random(42).nextBytes(large);
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", zkPort());
        Session session = Session.open(proxy.address(), 10_000)) {
      assertThat(proxy.address()).isEqualTo("127.0.0.1:" + proxy.port());
      assertThat(proxy.mode()).isEqualTo(Mode.FORWARD);
      assertThat(proxy.openConnections()).isEqualTo(1);

      session.client.create(
          "/forwarded",
          "hello".getBytes(UTF_8),
          ZooDefs.Ids.OPEN_ACL_UNSAFE,
          CreateMode.PERSISTENT);
      session.client.create(
          "/forwarded/large", large, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

      assertThat(session.client.getData("/forwarded", false, null))
          .isEqualTo("hello".getBytes(UTF_8));
      assertThat(session.client.getData("/forwarded/large", false, null)).isEqualTo(large);
    }
  }

  @Test
  void cutShorterThanTheSessionTimeoutKeepsTheSession() throws Exception {
    int sessionTimeoutMs =
        (int) Math.min(60_000, TestTimeouts.scaled(Duration.ofSeconds(20)).toMillis());
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", zkPort());
        Session through = Session.open(proxy.address(), sessionTimeoutMs);
        Session direct = Session.open(zk.connectString(), 10_000)) {
      long sessionId = through.client.getSessionId();
      through.client.create(
          "/cut", new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

      proxy.cut();
      assertThat(proxy.mode()).isEqualTo(Mode.CUT);
      assertThat(proxy.openConnections()).isZero();
      await().atMost(BOUND).until(() -> through.states.contains(KeeperState.Disconnected));
      // The client keeps trying to reconnect; the proxy resets every attempt.
      assertThat(proxy.openConnections()).isZero();

      proxy.restore();
      assertThat(proxy.mode()).isEqualTo(Mode.FORWARD);
      await()
          .atMost(BOUND)
          .until(
              () ->
                  through.states.lastIndexOf(KeeperState.SyncConnected)
                      > through.states.indexOf(KeeperState.Disconnected));

      assertThat(through.states)
          .startsWith(KeeperState.SyncConnected)
          .containsSubsequence(
              KeeperState.SyncConnected, KeeperState.Disconnected, KeeperState.SyncConnected)
          .doesNotContain(KeeperState.Expired);
      assertThat(through.client.getSessionId()).isEqualTo(sessionId);
      assertThat(through.client.exists("/cut", false)).isNotNull();
      assertThat(direct.client.exists("/cut", false).getEphemeralOwner()).isEqualTo(sessionId);
    }
  }

  @Test
  void blackholeLongerThanTheSessionTimeoutExpiresTheSession() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", zkPort());
        Session through = Session.open(proxy.address(), 2_000);
        Session direct = Session.open(zk.connectString(), 10_000)) {
      assertThat(through.client.getSessionTimeout()).isEqualTo(2_000);
      through.client.create(
          "/blackholed", new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      assertThat(direct.client.exists("/blackholed", false)).isNotNull();

      proxy.blackhole();
      assertThat(proxy.mode()).isEqualTo(Mode.BLACKHOLE);
      assertThat(proxy.openConnections()).as("blackholed, not closed").isEqualTo(1);

      // The client notices only through its read timeout ...
      await().atMost(BOUND).until(() -> through.states.contains(KeeperState.Disconnected));
      // ... and the server, hearing nothing, expires the session: its ephemeral node goes.
      await().atMost(BOUND).until(() -> direct.client.exists("/blackholed", false) == null);
      assertThat(through.states).doesNotContain(KeeperState.Expired);

      proxy.restore();
      await().atMost(BOUND).until(() -> through.states.contains(KeeperState.Expired));
      assertThat(through.states)
          .containsSubsequence(
              KeeperState.SyncConnected, KeeperState.Disconnected, KeeperState.Expired);
      assertThat(through.client.getState()).isEqualTo(ZooKeeper.States.CLOSED);
    }
  }

  @Test
  void newConnectionsFollowTheMode() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", zkPort())) {
      // srvr half-closes its socket before reading the answer, so this also checks half-close.
      assertThat(EmbeddedZooKeeperIT.srvr(proxy.port())).contains("Mode: standalone");

      proxy.cut();
      try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
        assertThat(endsWithin(socket, BOUND)).as("reset at once").isTrue();
      }
      assertThat(proxy.openConnections()).isZero();

      proxy.blackhole();
      try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
        socket.getOutputStream().write("srvr".getBytes(US_ASCII));
        await().atMost(BOUND).until(() -> proxy.openConnections() == 1);
        socket.setSoTimeout(500);
        assertThatThrownBy(() -> socket.getInputStream().read())
            .as("no answer through a blackhole")
            .isInstanceOf(SocketTimeoutException.class);

        proxy.restore();
        assertThat(endsWithin(socket, BOUND)).as("a blackholed connection is reset").isTrue();
      }
      await().atMost(BOUND).until(() -> proxy.openConnections() == 0);
      assertThat(EmbeddedZooKeeperIT.srvr(proxy.port())).contains("Mode: standalone");
    }
  }

  @Test
  void aDelayAddsLatencyBothWaysWithoutThrottlingOrBreakingTheSession() throws Exception {
    byte[] large = new byte[200 * 1024];
    new Random(7).nextBytes(large);
    Duration delay = Duration.ofMillis(150);
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", zkPort());
        Session session = Session.open(proxy.address(), 10_000)) {
      session.client.create("/delayed", large, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      proxy.delay(delay);
      assertThat(proxy.delay()).isEqualTo(delay);
      long start = System.nanoTime();
      assertThat(session.client.getData("/delayed", false, null)).isEqualTo(large);
      long roundTrip = System.nanoTime() - start;
      assertThat(Duration.ofNanos(roundTrip)).isGreaterThanOrEqualTo(delay.multipliedBy(2));

      // 40 requests in flight at once: each is delayed, not each behind the one before
      java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(40);
      start = System.nanoTime();
      for (int i = 0; i < 40; i++) {
        session.client.exists(
            "/delayed", false, (rc, path, ctx, stat) -> answered.countDown(), null);
      }
      assertThat(answered.await(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
          .isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(delay.multipliedBy(2))
          .isLessThan(delay.multipliedBy(2 * 10));

      proxy.delay(Duration.ZERO);
      start = System.nanoTime();
      session.client.exists("/delayed", false);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(delay.multipliedBy(2));
      assertThat(session.states).doesNotContain(KeeperState.Disconnected);
      assertThatThrownBy(() -> proxy.delay(Duration.ofMillis(-1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closeReleasesThePortAndEveryThread() throws Exception {
    TcpProxy proxy = TcpProxy.start("127.0.0.1", zkPort());
    int port = proxy.port();
    try (Session session = Session.open(proxy.address(), 10_000)) {
      assertThat(proxyThreads())
          .contains("pipekeeper-proxy-" + port + "-accept")
          .contains("pipekeeper-proxy-" + port + "-1-up", "pipekeeper-proxy-" + port + "-1-down");

      proxy.close();
      proxy.close(); // twice is fine

      assertThat(FreePorts.isFree(port)).isTrue();
      assertThat(proxy.openConnections()).isZero();
      await().atMost(BOUND).until(() -> proxyThreads().isEmpty());
      await().atMost(BOUND).until(() -> session.states.contains(KeeperState.Disconnected));
      assertThatThrownBy(proxy::cut).isInstanceOf(IllegalStateException.class);
    }
  }

  private static int zkPort() {
    return zk.server(1).clientPort();
  }

  private static List<String> proxyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("pipekeeper-proxy"))
        .toList();
  }

  /** Whether the peer ends the connection (end of stream or reset) within {@code bound}. */
  private static boolean endsWithin(Socket socket, Duration bound) {
    try {
      socket.setSoTimeout((int) bound.toMillis());
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** A raw ZooKeeper client and the connection states its default watcher saw, in order. */
  private static final class Session implements Watcher, AutoCloseable {
    final List<KeeperState> states = new CopyOnWriteArrayList<>();
    ZooKeeper client;

    static Session open(String connectString, int sessionTimeoutMs) throws IOException {
      Session session = new Session();
      session.client = new ZooKeeper(connectString, sessionTimeoutMs, session);
      await().atMost(BOUND).until(() -> session.states.contains(KeeperState.SyncConnected));
      return session;
    }

    @Override
    public void process(WatchedEvent event) {
      if (event.getType() == Watcher.Event.EventType.None) {
        states.add(event.getState());
      }
    }

    @Override
    public void close() {
      try {
        client.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
