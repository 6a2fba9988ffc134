package dev.pipekeeper.embedded;

import dev.pipekeeper.embedded.internal.ProxyConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy for fault tests: it listens on a free loopback port, forwards every connection to one
 * target, and on command cuts or blackholes the connections that go through it, so that one client
 * loses its server while other clients, connected directly, keep working.
 * <!-- example-context: EmbeddedZooKeeper zk; Watcher watcher -->
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", zk.server(1).clientPort())) {
 *   ZooKeeper client = new ZooKeeper(proxy.address(), 2000, watcher);
 *   proxy.blackhole(); // the client hears nothing more; the server expires its session
 *   proxy.restore(); // the client reconnects and learns that its session expired
 * }
 * }</pre>
 *
 * <p>For an ensemble, start one proxy per server and give the client the proxies' addresses.
 *
 * <p>Every accepted connection gets its own connection to the target; bytes are copied both ways,
 * and an end of stream (half-close), a close or a reset on one side is passed on to the other. The
 * target need not be up when the proxy starts: a connection the target refuses is reset. The
 * {@linkplain Mode modes} act on the connections open when the mode changes and on those accepted
 * later:
 *
 * <ul>
 *   <li>{@link #cut()} resets every open connection at once, on both sides, and resets new
 *       connections as soon as they are accepted, without connecting to the target: like a peer
 *       that crashed, or a firewall that rejects.
 *   <li>{@link #blackhole()} keeps open connections open but forwards nothing more in either
 *       direction: what is read is dropped, and an end of stream is not passed on. New connections
 *       are accepted but never forwarded. This is a network partition or a paused peer, where TCP
 *       does not break: a client notices only through its own read timeout.
 *   <li>{@link #delay(Duration)} (beside any mode) holds every byte that long before forwarding it:
 *       a slow network.
 *   <li>{@link #restore()} forwards new connections again. Connections that were blackholed are
 *       reset then and never resume, as a real partition would have broken them: their peers have
 *       missed bytes.
 * </ul>
 *
 * <p>Bytes in flight when a mode changes may still be delivered. Thread-safe. The proxy runs on
 * daemon threads named {@code pipekeeper-proxy-<port>-...}: one to accept, one per direction of
 * each forwarded connection, and one for each connection accepted while blackholed. {@link
 * #close()} stops them all and is safe to call twice.
 */
public final class TcpProxy implements AutoCloseable {

  /** What the proxy does with connections. */
  public enum Mode {
    /** Forwards bytes both ways (the initial mode). */
    FORWARD,
    /** Resets every connection, open or new. */
    CUT,
    /** Drops every byte of every connection, open or new, and keeps them open. */
    BLACKHOLE
  }

  private static final long CLOSE_WAIT_MS = 10_000;
  private static final long ACCEPT_RETRY_MS = 100;

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final int port;
  private final String threadPrefix;
  private final Object lock = new Object();
  // Everything below is guarded by lock.
  private final Set<ProxyConnection> connections = new HashSet<>();
  private final List<Thread> threads = new ArrayList<>();
  private Mode mode = Mode.FORWARD;
  private volatile long delayNanos;
  private boolean closed;
  private long accepted;

  private TcpProxy(String targetHost, int targetPort, ServerSocket server) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = server;
    this.port = server.getLocalPort();
    this.threadPrefix = "pipekeeper-proxy-" + port + "-";
  }

  /**
   * Starts a proxy on a free port of 127.0.0.1 that forwards to {@code targetHost:targetPort}.
   *
   * @throws IllegalArgumentException if the host is missing or the port is outside 1 to 65535
   * @throws EmbeddedServerException if no port can be bound
   */
  public static TcpProxy start(String targetHost, int targetPort) {
    if (targetHost == null || targetHost.isBlank()) {
      throw new IllegalArgumentException("the target host is missing");
    }
    if (targetPort < 1 || targetPort > 65535) {
      throw new IllegalArgumentException("port " + targetPort + " is outside 1 to 65535");
    }
    ServerSocket server = null;
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(
          new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 50);
    } catch (IOException e) {
      closeQuietly(server);
      throw new EmbeddedServerException("the proxy cannot listen: " + e.getMessage(), e);
    }
    TcpProxy proxy = new TcpProxy(targetHost, targetPort, server);
    proxy.startThread("accept", proxy::acceptLoop);
    return proxy;
  }

  /** The port the proxy listens on. */
  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, for a client's connect string. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** The current mode; after {@link #close()}, the last one. */
  public Mode mode() {
    synchronized (lock) {
      return mode;
    }
  }

  /**
   * The accepted connections the proxy still holds: forwarded or blackholed, including a blackholed
   * connection whose client has gone but whose target side is still open.
   */
  public int openConnections() {
    synchronized (lock) {
      return connections.size();
    }
  }

  /**
   * Resets every open connection, on both sides, and until {@link #restore()} resets new ones as
   * soon as they are accepted.
   *
   * @throws IllegalStateException if closed
   */
  public void cut() {
    synchronized (lock) {
      checkOpen();
      mode = Mode.CUT;
      resetAll();
    }
  }

  /**
   * Stops forwarding bytes in both directions while keeping every connection open; until {@link
   * #restore()}, new connections are accepted but never forwarded.
   *
   * @throws IllegalStateException if closed
   */
  public void blackhole() {
    synchronized (lock) {
      checkOpen();
      mode = Mode.BLACKHOLE;
      connections.forEach(ProxyConnection::blackhole);
    }
  }

  /**
   * A slow network: from now on, what each direction of every connection (open or new) reads is
   * held {@code delay} before it is forwarded, in order; the delay adds latency without limiting
   * throughput. {@link Duration#ZERO} forwards at once again (after what is held). Independent of
   * the mode.
   *
   * @throws IllegalArgumentException if negative
   * @throws IllegalStateException if closed
   */
  public void delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("a delay cannot be negative: " + delay);
    }
    synchronized (lock) {
      checkOpen();
      delayNanos = delay.toNanos();
    }
  }

  /** The delay in force ({@link Duration#ZERO} for none). */
  public Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  /**
   * Forwards new connections again and resets the connections that were blackholed (they never
   * resume). Does nothing in {@link Mode#FORWARD}.
   *
   * @throws IllegalStateException if closed
   */
  public void restore() {
    synchronized (lock) {
      checkOpen();
      mode = Mode.FORWARD;
      connections.removeIf(
          connection -> {
            if (!connection.isBlackholed()) {
              return false;
            }
            connection.reset();
            return true;
          });
    }
  }

  /**
   * Stops listening, resets every connection and waits (up to 10 s) for the proxy's threads to end.
   * Safe to call twice.
   */
  @Override
  public void close() {
    List<Thread> toJoin;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      closeQuietly(server);
      resetAll();
      lock.notifyAll(); // wakes an accept loop that waits to retry
      toJoin = new ArrayList<>(threads);
      threads.clear();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
    try {
      for (Thread thread : toJoin) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (thread != Thread.currentThread() && left > 0) {
          thread.join(left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (true) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (server.isClosed()) {
          return; // closed by close(): the expected way out
        }
        // Say, out of file descriptors: wait a little instead of spinning.
        if (!pause()) {
          return;
        }
        continue;
      }
      accepted(socket);
    }
  }

  private void accepted(Socket socket) {
    try {
      socket.setTcpNoDelay(true);
    } catch (IOException e) {
      ProxyConnection.abort(socket);
      return;
    }
    synchronized (lock) {
      if (closed || mode == Mode.CUT) {
        ProxyConnection.abort(socket);
        return;
      }
      String name = Long.toString(++accepted);
      ProxyConnection connection =
          mode == Mode.BLACKHOLE
              ? ProxyConnection.blackholed(name, socket, this::startThread, this::ended)
              : ProxyConnection.forwarding(
                      name, socket, targetHost, targetPort, this::startThread, this::ended)
                  .delay(() -> delayNanos);
      connections.add(connection);
      connection.start();
    }
  }

  private void ended(ProxyConnection connection) {
    synchronized (lock) {
      connections.remove(connection);
    }
  }

  private boolean startThread(String suffix, Runnable task) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
      Thread thread = new Thread(task, threadPrefix + suffix);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
      return true;
    }
  }

  private void resetAll() {
    connections.forEach(ProxyConnection::reset);
    connections.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the proxy " + address() + " is closed");
    }
  }

  private boolean pause() {
    synchronized (lock) {
      try {
        if (!closed) {
          lock.wait(ACCEPT_RETRY_MS);
        }
        return !closed;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is all we wanted; a failure leaves nothing to do
    }
  }
}
