package dev.pipekeeper.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One connection through a {@code TcpProxy}: the socket a client opened to the proxy (downstream),
 * the proxy's own socket to the target (upstream), and one thread per direction that copies bytes
 * with blocking reads, so an idle connection costs no CPU.
 *
 * <p>An end of stream is passed on as a half-close ({@link Socket#shutdownOutput()}); when both
 * directions have ended, both sockets are closed. A reset, a failed read or a failed write on
 * either side resets both sides. Once {@linkplain #blackhole() blackholed}, a connection drops
 * every byte it reads and passes on no end of stream, as if the network between the peers were
 * gone; it never forwards again. A connection {@linkplain #blackholed accepted while blackholed}
 * has no upstream at all.
 *
 * <p>With a {@linkplain #delay delay} (a slow network), what a direction reads is held that long
 * before it is written on, in order, by a thread of that direction started the first time: bytes
 * read at time t leave at t + delay, whatever follows them, so the delay adds latency without
 * throttling. An end of stream follows the last bytes held.
 *
 * <p>Thread-safe. Exceptions from sockets that were closed under a thread are expected and end that
 * thread silently.
 */
public final class ProxyConnection {

  /** Starts the proxy's threads, so that the proxy knows (and can join) every one of them. */
  @FunctionalInterface
  public interface ThreadStarter {
    /**
     * Starts {@code task} on a new daemon thread whose name ends with {@code suffix}.
     *
     * @return false, without starting anything, once the proxy is closed
     */
    boolean start(String suffix, Runnable task);
  }

  private static final int BUFFER_BYTES = 16 * 1024;
  private static final int CONNECT_TIMEOUT_MS = 10_000;

  private final String name;
  private final Socket downstream;
  private final Socket upstream;
  private final String targetHost;
  private final int targetPort;
  private final ThreadStarter threads;
  private final Consumer<ProxyConnection> onEnd;
  private final AtomicInteger runningThreads = new AtomicInteger(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean blackholed;
  private volatile LongSupplier delayNanos = () -> 0L;

  private ProxyConnection(
      String name,
      Socket downstream,
      String targetHost,
      int targetPort,
      boolean blackholed,
      ThreadStarter threads,
      Consumer<ProxyConnection> onEnd) {
    this.name = name;
    this.downstream = downstream;
    this.upstream = blackholed ? null : new Socket();
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.blackholed = blackholed;
    this.threads = threads;
    this.onEnd = onEnd;
  }

  /**
   * A connection that will be forwarded to {@code targetHost:targetPort} once {@linkplain #start()
   * started}.
   *
   * @param name the connection's part of its threads' names
   * @param onEnd called once, from one of the connection's threads, when it has ended
   */
  public static ProxyConnection forwarding(
      String name,
      Socket downstream,
      String targetHost,
      int targetPort,
      ThreadStarter threads,
      Consumer<ProxyConnection> onEnd) {
    return new ProxyConnection(name, downstream, targetHost, targetPort, false, threads, onEnd);
  }

  /** A connection that is never forwarded: what its client sends is read and dropped. */
  public static ProxyConnection blackholed(
      String name, Socket downstream, ThreadStarter threads, Consumer<ProxyConnection> onEnd) {
    return new ProxyConnection(name, downstream, null, 0, true, threads, onEnd);
  }

  /**
   * Starts the connection's first thread, which connects upstream (if forwarded) and copies bytes.
   * A connection whose upstream cannot be reached is reset, as a refused connection would be.
   */
  public void start() {
    boolean started =
        upstream == null
            ? threads.start(name + "-drain", () -> pump(downstream, null))
            : threads.start(name + "-up", this::connectAndForward);
    if (!started) {
      reset();
      threadEnded();
    }
  }

  /**
   * Holds what each direction reads {@code delayNanos} (asked for every read, so a change applies
   * at once) before writing it on. Call before {@link #start()}.
   */
  public ProxyConnection delay(LongSupplier delayNanos) {
    this.delayNanos = delayNanos;
    return this;
  }

  /** Stops forwarding in both directions for good; the sockets stay open. */
  public void blackhole() {
    blackholed = true;
  }

  public boolean isBlackholed() {
    return blackholed;
  }

  /** Closes both sides at once with a reset (no lingering, no orderly end of stream). */
  public void reset() {
    if (closed.compareAndSet(false, true)) {
      abort(downstream);
      abort(upstream);
    }
  }

  /** Closes {@code socket} with a reset ({@code SO_LINGER} 0); a null or closed socket is fine. */
  public static void abort(Socket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // already closed: nothing left to reset
    }
    closeQuietly(socket);
  }

  private void connectAndForward() {
    try {
      upstream.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MS);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      // Refused, unreachable, or closed under us by the proxy: the client sees a reset.
      reset();
      threadEnded();
      return;
    }
    runningThreads.incrementAndGet();
    if (!threads.start(name + "-down", () -> pump(upstream, downstream))) {
      reset();
      threadEnded();
    }
    pump(downstream, upstream);
  }

  /** Copies {@code source} to {@code sink} (drops what it reads if {@code sink} is null). */
  private void pump(Socket source, Socket sink) {
    Direction direction = new Direction();
    try {
      InputStream in = source.getInputStream();
      OutputStream out = sink == null ? null : sink.getOutputStream();
      byte[] buffer = new byte[BUFFER_BYTES];
      int read;
      while ((read = in.read(buffer)) >= 0) {
        if (out != null && !blackholed) {
          direction.forward(buffer, read, out);
        }
      }
      direction.awaitDelivered();
      if (sink == null || blackholed) {
        // The peer's end of stream is lost in the partition: let go of our end towards it only.
        source.close();
      } else {
        sink.shutdownOutput();
      }
    } catch (IOException e) {
      // Expected: the proxy closed this connection (cut, restore, close) or a peer reset it.
      reset();
    } finally {
      direction.pumpDone();
      threadEnded();
    }
  }

  /** A chunk read at some time, to be written on at {@code due}. */
  private record Chunk(byte[] bytes, long due) {}

  /**
   * One direction's bytes held for a delay: written on in order by its own thread, started the
   * first time a delay applies. Guarded by itself.
   */
  private final class Direction {
    private final ArrayDeque<Chunk> held = new ArrayDeque<>();
    private boolean delivering;
    private boolean pumpDone;

    /** Writes {@code read} bytes at once, or holds them if a delay applies or bytes are held. */
    synchronized void forward(byte[] buffer, int read, OutputStream out) throws IOException {
      long delay = delayNanos.getAsLong();
      if (delay <= 0 && held.isEmpty()) {
        out.write(buffer, 0, read);
        return;
      }
      held.add(new Chunk(Arrays.copyOf(buffer, read), System.nanoTime() + Math.max(0, delay)));
      notifyAll();
      if (!delivering) {
        delivering = true;
        runningThreads.incrementAndGet();
        if (!threads.start(name + "-delay", () -> deliver(out))) {
          throw new IOException("the proxy is closed");
        }
      }
    }

    private void deliver(OutputStream out) {
      try {
        while (true) {
          Chunk chunk;
          synchronized (this) {
            while (held.isEmpty() && !pumpDone && !closed.get()) {
              wait(100);
            }
            if (held.isEmpty() || closed.get()) {
              return;
            }
            chunk = held.peek();
          }
          long wait = chunk.due() - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait); // the network's delay, not a wait for a state
          }
          synchronized (this) {
            if (!blackholed) {
              out.write(chunk.bytes());
            }
            held.poll();
            notifyAll();
          }
        }
      } catch (IOException e) {
        reset();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reset();
      } finally {
        synchronized (this) {
          held.clear();
          notifyAll();
        }
        threadEnded();
      }
    }

    /** Waits until every held byte has been written (or the connection ended). */
    synchronized void awaitDelivered() throws IOException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!held.isEmpty() && !closed.get()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new IOException("held bytes were not delivered within 60 s");
        }
        try {
          wait(Math.min(left, 100));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }

    synchronized void pumpDone() {
      pumpDone = true;
      notifyAll();
    }
  }

  private void threadEnded() {
    if (runningThreads.decrementAndGet() == 0) {
      if (closed.compareAndSet(false, true)) {
        closeQuietly(downstream);
        closeQuietly(upstream);
      }
      onEnd.accept(this);
    }
  }

  private static void closeQuietly(Socket socket) {
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
