package dev.pipekeeper.core.security.internal;

import dev.pipekeeper.core.AuthenticationException;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.ensemble.HostAndPort;
import dev.pipekeeper.core.ensemble.PortProbe;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.zookeeper.ClientCnxnSocketNIO;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.common.X509Util;

/**
 * One connection's transport security made concrete: the {@link ZKClientConfig} of its own that
 * carries TLS and SASL (passwords read from their files now), its JAAS section, and a TLS handshake
 * made before the client connects, so that a certificate problem is reported in one line instead of
 * as a connection that never comes up.
 *
 * <p>{@code new ZKClientConfig()} copies the JVM's {@code zookeeper.*} system properties (TLS and
 * SASL keys among them): every key this class is responsible for is set explicitly, so that a
 * system property cannot change a connection that has security settings of its own.
 */
public final class ZooKeeperTransport implements AutoCloseable {
  private static final String DIGEST_LOGIN_MODULE =
      "org.apache.zookeeper.server.auth.DigestLoginModule";

  private final ZooKeeperSecurity security;
  private final ZKClientConfig config;
  private final SSLContext sslContext;
  private final CertificateRequests certificateRequests;
  private final String jaasSection;

  private ZooKeeperTransport(
      ZooKeeperSecurity security,
      ZKClientConfig config,
      SSLContext ssl,
      CertificateRequests certificateRequests,
      String jaasSection) {
    this.security = security;
    this.config = config;
    this.sslContext = ssl;
    this.certificateRequests = certificateRequests;
    this.jaasSection = jaasSection;
  }

  /**
   * Reads the password files and makes the connection's client config; {@code label} names its JAAS
   * section (the cluster, for logs).
   *
   * @throws InvalidInputException if a password file or a store cannot be read
   */
  public static ZooKeeperTransport open(ZooKeeperSecurity security, String label) {
    ZKClientConfig config = new ZKClientConfig();
    SSLContext ssl = null;
    CertificateRequests requests = null;
    try (ClientX509Util x509 = new ClientX509Util()) {
      config.setProperty(ZKClientConfig.SECURE_CLIENT, Boolean.toString(security.tls()));
      config.setProperty(
          ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET,
          (security.tls() ? ClientCnxnSocketNetty.class : ClientCnxnSocketNIO.class).getName());
      if (security.tls()) {
        Path truststore = security.truststore().orElseThrow();
        String trustPassword = password(security.truststorePasswordFile(), "truststore password");
        config.setProperty(x509.getSslTruststoreLocationProperty(), truststore.toString());
        set(config, x509.getSslTruststorePasswdProperty(), trustPassword);
        String keyPassword = null;
        if (security.keystore().isPresent()) {
          keyPassword = password(security.keystorePasswordFile(), "keystore password");
          config.setProperty(
              x509.getSslKeystoreLocationProperty(), security.keystore().get().toString());
          set(config, x509.getSslKeystorePasswdProperty(), keyPassword);
        }
        config.setProperty(
            x509.getSslHostnameVerificationEnabledProperty(),
            Boolean.toString(security.hostnameVerification()));
        requests = new CertificateRequests(keyManager(security, keyPassword));
        ssl = sslContext(security, trustPassword, requests);
      }
      String section = null;
      if (security.saslUser().isPresent()) {
        String user = security.saslUser().get();
        String password = password(security.saslPasswordFile(), "SASL password of " + user);
        section =
            JaasSections.register(
                label + "-" + user,
                new AppConfigurationEntry(
                    DIGEST_LOGIN_MODULE,
                    AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                    Map.of("username", user, "password", password)));
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "true");
        config.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, section);
        // ZooKeeper's FIPS mode (on by default since 3.9) refuses DIGEST-MD5.
        config.setProperty(X509Util.FIPS_MODE_PROPERTY, "false");
      } else {
        // No SASL unless asked for: not even through a JVM-wide "Client" JAAS section.
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
      }
      return new ZooKeeperTransport(security, config, ssl, requests, section);
    }
  }

  /** The connection's own client config; the same object for every client of the connection. */
  public ZKClientConfig clientConfig() {
    return config;
  }

  /** The SASL user, for messages; empty without SASL. */
  public Optional<String> saslUser() {
    return security.saslUser();
  }

  /**
   * Makes a TLS handshake with the first server that takes a TCP connection, as the client will.
   * Does nothing without TLS or when no server takes one (the connection then reports that).
   *
   * <p>When the server asks for a client certificate, the handshake alone does not say whether it
   * took the one sent (or the lack of one): in TLS 1.3 the client's side of the handshake ends
   * before the server has checked the certificate, and ZooKeeper's server checks it once its side
   * ends, closing the connection if it refuses. So then a four-letter word is sent: any ZooKeeper
   * server answers one (if only to say the word is not allowed), and one that refused the
   * certificate closes the connection instead.
   *
   * @throws AuthenticationException if the handshake fails or the server refuses the client's
   *     certificate, naming why in one line
   */
  public void checkHandshake(List<HostAndPort> servers, Duration timeout) {
    if (sslContext == null) {
      return;
    }
    for (HostAndPort server : servers) {
      Optional<Socket> connected = PortProbe.connect(server, timeout);
      if (connected.isEmpty()) {
        continue;
      }
      try (Socket plain = connected.get()) {
        try (SSLSocket tls =
            (SSLSocket)
                sslContext
                    .getSocketFactory()
                    .createSocket(plain, server.host(), server.port(), false)) {
          SSLParameters parameters = tls.getSSLParameters();
          if (security.hostnameVerification()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
          }
          tls.setSSLParameters(parameters);
          certificateRequests.reset();
          tls.startHandshake();
          if (certificateRequests.asked()) {
            checkCertificateOffered(server);
            checkCertificateTaken(tls, server, timeout);
          }
          return;
        }
      } catch (SSLException e) {
        throw new AuthenticationException(
            "TLS handshake with ZooKeeper at " + server + " failed: " + reason(e));
      } catch (IOException e) {
        // the server went away meanwhile: the connection attempt reports it
        return;
      }
    }
  }

  /**
   * A keystore whose certificate the JDK did not offer: none is issued by a CA the server named.
   * Under {@code ssl.clientAuth=want} the server would take the connection without an identity,
   * which is not what a connection configured with a certificate means to be.
   */
  private void checkCertificateOffered(HostAndPort server) {
    if (security.keystore().isPresent() && !certificateRequests.offered()) {
      throw new AuthenticationException(
          "TLS handshake with ZooKeeper at "
              + server
              + " failed: the server asked for a client certificate from CAs that did not sign the"
              + " one in this connection's keystore (is it signed by a CA the server trusts?)");
    }
  }

  private void checkCertificateTaken(SSLSocket tls, HostAndPort server, Duration timeout)
      throws IOException {
    boolean answered;
    try {
      tls.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      tls.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
      tls.getOutputStream().flush();
      answered = tls.getInputStream().read() >= 0;
    } catch (java.net.SocketTimeoutException e) {
      return; // no answer either way: the connection attempt reports what happens
    } catch (SSLException | java.net.SocketException e) {
      answered = false; // the server's alert, or its reset of the connection
    }
    if (!answered) {
      throw new AuthenticationException(
          "TLS handshake with ZooKeeper at "
              + server
              + " failed: "
              + (security.keystore().isPresent()
                  ? "the server did not accept this connection's client certificate (is it"
                      + " signed by a CA the server trusts?)"
                  : "the server requires a client certificate and this connection has none"
                      + " (zookeeper.ssl.keyStore.location)"));
    }
  }

  /** The innermost cause of a handshake failure, as a short reason. */
  static String reason(SSLException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : root.toString();
    if (message.contains("unable to find valid certification path")
        || message.contains("PKIX path")
        || message.contains("Signature does not match")) {
      return "the server's certificate is not trusted by the truststore";
    }
    if (message.contains("No subject alternative")
        || message.contains("No name matching")
        || message.contains("doesn't match any of the subject alternative names")) {
      return "the server's certificate does not name the host connected to (hostname verification): "
          + message;
    }
    if (e instanceof SSLHandshakeException
        && (message.contains("Remote host terminated")
            || message.contains("peer shut down incorrectly"))) {
      return "the server closed the connection during the handshake (is the port plaintext, or"
          + " does the server require a client certificate?)";
    }
    if (message.contains("bad_certificate")
        || message.contains("certificate_required")
        || message.contains("certificate_unknown")) {
      return "the server did not accept the client certificate, or requires one (" + message + ")";
    }
    if (message.contains("Unsupported or unrecognized SSL message")
        || message.contains("plaintext connection")) {
      return "the server does not speak TLS on this port";
    }
    return message;
  }

  private static SSLContext sslContext(
      ZooKeeperSecurity security, String trustPassword, CertificateRequests keys) {
    Path truststorePath = security.truststore().orElseThrow();
    try {
      KeyStore trust = load(truststorePath, trustPassword);
      TrustManagerFactory trustFactory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustFactory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keys}, trustFactory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("cannot use the TLS stores: " + e.getMessage());
    }
  }

  /** The key manager of the connection's keystore; none without one. */
  private static X509ExtendedKeyManager keyManager(ZooKeeperSecurity security, String password) {
    if (security.keystore().isEmpty()) {
      return null;
    }
    try {
      KeyStore keyStore = load(security.keystore().get(), password);
      KeyManagerFactory keyFactory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyFactory.init(keyStore, password != null ? password.toCharArray() : new char[0]);
      for (KeyManager manager : keyFactory.getKeyManagers()) {
        if (manager instanceof X509ExtendedKeyManager) {
          return (X509ExtendedKeyManager) manager;
        }
      }
      throw new InvalidInputException(
          "keystore " + security.keystore().get() + " holds no X.509 key");
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("cannot use the TLS stores: " + e.getMessage());
    }
  }

  private static KeyStore load(Path file, String password) {
    if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".pem")) {
      // ZooKeeper reads PEM itself; the handshake check needs a JDK store, so it is skipped.
      throw new InvalidInputException(
          "store " + file + " is PEM; give a PKCS12 or JKS store (the handshake check reads it)");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new InvalidInputException(
          "cannot read store "
              + file
              + ": "
              + (Files.exists(file) ? "not readable" : "no such file"));
    }
    try {
      return KeyStore.getInstance(file.toFile(), password != null ? password.toCharArray() : null);
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidInputException("cannot read store " + file + ": " + oneLine(e));
    }
  }

  private static String password(Optional<Path> file, String what) {
    if (file.isEmpty()) {
      return null;
    }
    try {
      return Files.readString(file.get(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read the " + what + " from " + file.get() + ": " + oneLine(e));
    }
  }

  private static String oneLine(Exception e) {
    return e instanceof java.nio.file.NoSuchFileException
        ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException
            ? "permission denied"
            : String.valueOf(e.getMessage());
  }

  private static void set(ZKClientConfig config, String key, String value) {
    if (value != null) {
      config.setProperty(key, value);
    }
  }

  /** Removes the connection's JAAS section. */
  @Override
  public void close() {
    if (jaasSection != null) {
      JaasSections.unregister(jaasSection);
    }
  }
}
