package dev.pipekeeper.core.security;

import dev.pipekeeper.core.security.internal.ZooKeeperTransport;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The transport security of one connection to ZooKeeper: TLS on the client port (a truststore,
 * optionally a keystore for a client certificate, hostname verification on by default) and SASL
 * DIGEST-MD5 authentication as one user. Passwords are never held here: each is read from its file
 * when the connection is built, so a file can be replaced between connections.
 *
 * <pre>{@code
 * ZooKeeperSecurity security = ZooKeeperSecurity.builder()
 *     .truststore(Path.of("/etc/pipekeeper/truststore.p12"), Path.of("/etc/pipekeeper/truststore.password"))
 *     .sasl("writer", Path.of("/etc/pipekeeper/writer.password"))
 *     .build();
 * Pipekeeper pk = Pipekeeper.builder().zookeeper("zk1:2281").security(security).build();
 * }</pre>
 *
 * <p>Everything here is set on a {@code ZKClientConfig} of the connection's own, never on JVM-wide
 * system properties, and the SASL login gets a JAAS section of the connection's own: two
 * connections in one JVM with different users each authenticate as their own. Store types follow
 * the file name ({@code .p12}/{@code .pfx} PKCS12, {@code .jks} JKS, {@code .pem} PEM), as
 * ZooKeeper's do. Immutable and thread-safe.
 */
public final class ZooKeeperSecurity {
  private final Path truststore;
  private final Path truststorePasswordFile;
  private final Path keystore;
  private final Path keystorePasswordFile;
  private final boolean hostnameVerification;
  private final String saslUser;
  private final Path saslPasswordFile;

  private ZooKeeperSecurity(Builder b) {
    this.truststore = b.truststore;
    this.truststorePasswordFile = b.truststorePasswordFile;
    this.keystore = b.keystore;
    this.keystorePasswordFile = b.keystorePasswordFile;
    this.hostnameVerification = b.hostnameVerification;
    this.saslUser = b.saslUser;
    this.saslPasswordFile = b.saslPasswordFile;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether the connection uses TLS (a truststore was given). */
  public boolean tls() {
    return truststore != null;
  }

  /**
   * A ZooKeeper client config with this TLS setup alone (no SASL), its store passwords read from
   * their files now: to ask the servers about themselves over TLS as a connection with these
   * settings talks to them ({@link dev.pipekeeper.core.ensemble.EnsembleProbe#probe(String,
   * ZKClientConfig)}). Without TLS, a plaintext config.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if a password file or a store cannot be read
   */
  public ZKClientConfig tlsClientConfig() {
    Builder tlsOnly = builder().hostnameVerification(hostnameVerification);
    if (truststore != null) {
      tlsOnly.truststore(truststore, truststorePasswordFile);
    }
    if (keystore != null) {
      tlsOnly.keystore(keystore, keystorePasswordFile);
    }
    try (ZooKeeperTransport transport = ZooKeeperTransport.open(tlsOnly.build(), "tls")) {
      return transport.clientConfig();
    }
  }

  public Optional<Path> truststore() {
    return Optional.ofNullable(truststore);
  }

  /** The file holding the truststore's password; empty for a store without one. */
  public Optional<Path> truststorePasswordFile() {
    return Optional.ofNullable(truststorePasswordFile);
  }

  /** The keystore of the client certificate, for servers that ask for one. */
  public Optional<Path> keystore() {
    return Optional.ofNullable(keystore);
  }

  public Optional<Path> keystorePasswordFile() {
    return Optional.ofNullable(keystorePasswordFile);
  }

  /** Whether the server's certificate must name the host connected to (default true). */
  public boolean hostnameVerification() {
    return hostnameVerification;
  }

  /** The SASL DIGEST-MD5 user, if the connection authenticates with SASL. */
  public Optional<String> saslUser() {
    return Optional.ofNullable(saslUser);
  }

  public Optional<Path> saslPasswordFile() {
    return Optional.ofNullable(saslPasswordFile);
  }

  /** What is configured, without any secret (there is none here to show). */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("ZooKeeperSecurity[");
    out.append(tls() ? "TLS truststore " + truststore : "no TLS");
    if (keystore != null) {
      out.append(", keystore ").append(keystore);
    }
    if (tls() && !hostnameVerification) {
      out.append(", no hostname verification");
    }
    out.append(saslUser != null ? ", SASL as " + saslUser : ", no SASL");
    return out.append(']').toString();
  }

  /** Settings of a {@link ZooKeeperSecurity}; nothing is on until set. */
  public static final class Builder {
    private Path truststore;
    private Path truststorePasswordFile;
    private Path keystore;
    private Path keystorePasswordFile;
    private boolean hostnameVerification = true;
    private String saslUser;
    private Path saslPasswordFile;

    private Builder() {}

    /**
     * Turns TLS on, trusting the certificates in {@code truststore}, whose password is in {@code
     * passwordFile} (null for a store without a password, such as PEM).
     */
    public Builder truststore(Path truststore, Path passwordFile) {
      this.truststore = Objects.requireNonNull(truststore, "truststore");
      this.truststorePasswordFile = passwordFile;
      return this;
    }

    /** The client certificate and key to present, for servers that ask for one (mutual TLS). */
    public Builder keystore(Path keystore, Path passwordFile) {
      this.keystore = Objects.requireNonNull(keystore, "keystore");
      this.keystorePasswordFile = passwordFile;
      return this;
    }

    /**
     * Whether the server's certificate must name the host or address connected to (default true).
     * Turning it off accepts any certificate the truststore trusts, for any server.
     */
    public Builder hostnameVerification(boolean verify) {
      this.hostnameVerification = verify;
      return this;
    }

    /** Authenticates with SASL DIGEST-MD5 as {@code user}, whose password is in {@code file}. */
    public Builder sasl(String user, Path passwordFile) {
      if (user == null || user.isBlank()) {
        throw new IllegalArgumentException("the SASL user must not be blank");
      }
      this.saslUser = user;
      this.saslPasswordFile = Objects.requireNonNull(passwordFile, "passwordFile");
      return this;
    }

    /**
     * @throws IllegalStateException if a keystore is given without a truststore
     */
    public ZooKeeperSecurity build() {
      if (keystore != null && truststore == null) {
        throw new IllegalStateException("a keystore needs TLS on: give a truststore too");
      }
      return new ZooKeeperSecurity(this);
    }
  }
}
