package dev.pipekeeper.core.ensemble;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What a server's port takes, asked below ZooKeeper's protocol: a TCP connection, and whether it
 * answers a TLS handshake. Used to explain why a plaintext client gets nothing from a port that
 * takes TLS only (ZooKeeper's secure client port answers a plaintext request with silence).
 */
public final class PortProbe {
  private static final Duration SNIFF_BOUND = Duration.ofSeconds(1);

  private PortProbe() {}

  /**
   * A TCP connection to {@code server} with {@code timeout} (at most 5 s) to connect and to read;
   * empty if it does not take one.
   */
  public static Optional<Socket> connect(HostAndPort server, Duration timeout) {
    Socket socket = new Socket();
    try {
      int millis = (int) Math.max(1, Math.min(timeout.toMillis(), 5_000));
      socket.connect(new InetSocketAddress(server.host(), server.port()), millis);
      socket.setSoTimeout(millis);
      return Optional.of(socket);
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing was open
      }
      return Optional.empty();
    }
  }

  /**
   * Whether the first server of {@code servers} that takes a TCP connection answers a TLS
   * handshake: then its port takes TLS only. Certificates are not checked; nothing is sent but the
   * handshake. One server is asked, with at most a second to connect and a second to answer, beyond
   * the connections refused at once.
   *
   * @return that server, if it answered TLS
   */
  public static Optional<HostAndPort> firstAnsweringTls(
      List<HostAndPort> servers, Duration timeout) {
    Duration bound = timeout.compareTo(SNIFF_BOUND) < 0 ? timeout : SNIFF_BOUND;
    SSLContext trustAll;
    try {
      trustAll = SSLContext.getInstance("TLS");
      trustAll.init(null, new TrustManager[] {new AcceptAny()}, null);
    } catch (GeneralSecurityException e) {
      return Optional.empty();
    }
    for (HostAndPort server : servers) {
      Optional<Socket> connected = connect(server, bound);
      if (connected.isEmpty()) {
        continue;
      }
      try (Socket plain = connected.get();
          SSLSocket tls =
              (SSLSocket)
                  trustAll
                      .getSocketFactory()
                      .createSocket(plain, server.host(), server.port(), false)) {
        tls.startHandshake();
        return Optional.of(server);
      } catch (IOException notTls) {
        // a plaintext server, or one that does not answer: not a TLS-only port
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Trusts any certificate: only for asking whether a port speaks TLS at all. */
  private static final class AcceptAny implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
