package dev.pipekeeper.core.security;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on loopback that makes handshakes and speaks no ZooKeeper: what a client's handshake
 * check meets when the server's certificate or its demands are not what a ZooKeeper server's would
 * be. Each connection is held until the client goes away.
 */
final class BareTlsServer implements AutoCloseable {
  private final SSLServerSocket server;

  /**
   * Serves with the key in {@code keystore} (PKCS12, {@code password}); with {@code
   * needClientAuth}, it requires a client certificate, trusting none.
   */
  BareTlsServer(Path keystore, String password, boolean needClientAuth)
      throws IOException, GeneralSecurityException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    char[] chars = password.toCharArray();
    keys.init(KeyStore.getInstance(keystore.toFile(), chars), chars);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    server =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(needClientAuth);
    Thread acceptor = new Thread(this::serve, "bare-tls-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (SSLSocket socket = (SSLSocket) server.accept()) {
        socket.startHandshake();
        socket.getInputStream().read(); // until the client gives up
      } catch (IOException e) {
        // a refused handshake (either side), or the client went away
      }
    }
  }

  /** {@code 127.0.0.1:port}. */
  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
