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
  private final String jaasSection;

  private ZooKeeperTransport(
      ZooKeeperSecurity security, ZKClientConfig config, SSLContext ssl, String jaasSection) {
    this.security = security;
    this.config = config;
    this.sslContext = ssl;
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
        ssl = sslContext(security, trustPassword, keyPassword);
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
      return new ZooKeeperTransport(security, config, ssl, section);
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
   * @throws AuthenticationException if the handshake fails, naming why in one line
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
          tls.startHandshake();
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
    if (message.contains("Unsupported or unrecognized SSL message")
        || message.contains("plaintext connection")) {
      return "the server does not speak TLS on this port";
    }
    return message;
  }

  private static SSLContext sslContext(
      ZooKeeperSecurity security, String trustPassword, String keyPassword) {
    Path truststorePath = security.truststore().orElseThrow();
    try {
      KeyStore trust = load(truststorePath, trustPassword);
      TrustManagerFactory trustFactory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustFactory.init(trust);
      KeyManager[] keys = null;
      if (security.keystore().isPresent()) {
        KeyStore keyStore = load(security.keystore().get(), keyPassword);
        KeyManagerFactory keyFactory =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyFactory.init(keyStore, keyPassword != null ? keyPassword.toCharArray() : new char[0]);
        keys = keyFactory.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trustFactory.getTrustManagers(), null);
      return context;
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
