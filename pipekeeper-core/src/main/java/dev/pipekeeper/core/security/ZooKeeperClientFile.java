package dev.pipekeeper.core.security;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.PipekeeperBuilder;
import dev.pipekeeper.core.PipekeeperException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ZooKeeper client properties file: the transport security of a connection (TLS, SASL), its
 * digest credentials and its {@link AclModel}, the one file a CLI's {@code --zk-config} and an
 * application read. The file may hold a password (keep it readable by its owner only); no password
 * is ever logged, printed or part of {@link #toString()}.
 *
 * <pre class="language-properties">
 * # TLS: ZooKeeper's own client keys, so zkCli -client-configuration reads the same file
 * zookeeper.client.secure=true
 * zookeeper.ssl.trustStore.location=/etc/pipekeeper/truststore.p12
 * zookeeper.ssl.trustStore.passwordPath=/etc/pipekeeper/truststore.password
 * zookeeper.ssl.hostnameVerification=true
 * # SASL DIGEST-MD5 as one user, the password in a file of its own
 * pipekeeper.sasl.username=pipeline
 * pipekeeper.sasl.passwordFile=/etc/pipekeeper/pipeline.password
 * # or digest credentials of this connection (user:password)
 * digest=alice:alice-secret
 * # the ACL model of the nodes it creates (comma-separated SCHEME:ID)
 * acl.readers=x509:CN=dashboard,O=example
 * acl.admins=digest:alice:HASH
 * acl.writers=digest:pipeline:HASH,sasl:pipeline
 * acl.secretReaders=digest:pipeline:HASH
 * </pre>
 *
 * <p>Unknown keys are refused, naming the key and the file. The {@code acl.*} keys are optional;
 * without {@code acl.admins} there is no model (and the others must not be given). The transport
 * keys make a {@link ZooKeeperSecurity}: {@code zookeeper.client.secure=true} needs a trust store;
 * {@code zookeeper.clientCnxnSocket} may only name the Netty socket (which TLS needs and which the
 * connection sets itself); the store types, if given, must be what the file names imply ({@code
 * .p12}/{@code .pfx} PKCS12, {@code .jks} JKS); {@code zookeeper.fips-mode} is accepted for
 * ZooKeeper's own tools, and a connection with SASL turns FIPS mode off for itself whatever it says
 * (DIGEST-MD5 is not a FIPS algorithm).
 */
public final class ZooKeeperClientFile {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperClientFile.class);

  /** The keys this class reads. */
  public static final Set<String> KEYS =
      Set.of(
          "digest",
          "acl.admins",
          "acl.writers",
          "acl.readers",
          "acl.secretReaders",
          Transport.SECURE,
          Transport.SOCKET,
          Transport.TRUSTSTORE,
          Transport.TRUSTSTORE_PASSWORD,
          Transport.TRUSTSTORE_TYPE,
          Transport.KEYSTORE,
          Transport.KEYSTORE_PASSWORD,
          Transport.KEYSTORE_TYPE,
          Transport.HOSTNAME_VERIFICATION,
          Transport.FIPS_MODE,
          Transport.SASL_USERNAME,
          Transport.SASL_PASSWORD_FILE);

  /** The names of the transport keys (ZooKeeper's own where it has one). */
  public static final class Transport {
    public static final String SECURE = "zookeeper.client.secure";
    public static final String SOCKET = "zookeeper.clientCnxnSocket";
    public static final String TRUSTSTORE = "zookeeper.ssl.trustStore.location";
    public static final String TRUSTSTORE_PASSWORD = "zookeeper.ssl.trustStore.passwordPath";
    public static final String TRUSTSTORE_TYPE = "zookeeper.ssl.trustStore.type";
    public static final String KEYSTORE = "zookeeper.ssl.keyStore.location";
    public static final String KEYSTORE_PASSWORD = "zookeeper.ssl.keyStore.passwordPath";
    public static final String KEYSTORE_TYPE = "zookeeper.ssl.keyStore.type";
    public static final String HOSTNAME_VERIFICATION = "zookeeper.ssl.hostnameVerification";
    public static final String FIPS_MODE = "zookeeper.fips-mode";
    public static final String SASL_USERNAME = "pipekeeper.sasl.username";
    public static final String SASL_PASSWORD_FILE = "pipekeeper.sasl.passwordFile";
    static final String NETTY = "org.apache.zookeeper.ClientCnxnSocketNetty";

    private Transport() {}
  }

  private final Path path;
  private final String digestUser;
  private final byte[] digest;
  private final AclModel acls;
  private final ZooKeeperSecurity security;

  private ZooKeeperClientFile(
      Path path, String digestUser, byte[] digest, AclModel acls, ZooKeeperSecurity security) {
    this.path = path;
    this.digestUser = digestUser;
    this.digest = digest;
    this.acls = acls;
    this.security = security;
  }

  /**
   * Reads {@code file}; warns (without refusing) when the group or others may read it.
   *
   * @throws PipekeeperException in one line naming the file if it is missing or unreadable
   * @throws InvalidInputException in one line naming the file and the key: an unknown key, a
   *     malformed value
   */
  public static ZooKeeperClientFile load(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      throw new PipekeeperException("ZooKeeper client file " + file + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new PipekeeperException(
          "ZooKeeper client file " + file + " cannot be read: " + reason(e));
    }
    warnIfOpen(file);
    Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw new InvalidInputException(
          "ZooKeeper client file "
              + file
              + ": unknown key"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown)
              + " (known: "
              + String.join(", ", new TreeSet<>(KEYS))
              + ")");
    }
    String user = null;
    byte[] digest = null;
    String credentials = properties.getProperty("digest");
    if (credentials != null) {
      credentials = credentials.strip();
      int colon = credentials.indexOf(':');
      if (colon <= 0 || colon == credentials.length() - 1) {
        throw new InvalidInputException(
            "ZooKeeper client file " + file + ": digest must be USER:PASSWORD");
      }
      user = credentials.substring(0, colon);
      digest = credentials.getBytes(StandardCharsets.UTF_8);
    }
    return new ZooKeeperClientFile(
        file, user, digest, model(file, properties), transport(file, properties));
  }

  /** The transport security the file's keys give, or null for a plaintext connection. */
  private static ZooKeeperSecurity transport(Path file, Properties properties) {
    boolean secure = flag(file, properties, Transport.SECURE, false);
    String socket = properties.getProperty(Transport.SOCKET);
    if (socket != null && !socket.strip().equals(Transport.NETTY)) {
      throw invalid(
          file, Transport.SOCKET + " may only be " + Transport.NETTY + ", not " + socket.strip());
    }
    flag(file, properties, Transport.FIPS_MODE, false);
    Path truststore = path(properties, Transport.TRUSTSTORE);
    Path keystore = path(properties, Transport.KEYSTORE);
    String saslUser = properties.getProperty(Transport.SASL_USERNAME);
    Path saslPassword = path(properties, Transport.SASL_PASSWORD_FILE);
    if (!secure) {
      for (String key :
          List.of(
              Transport.TRUSTSTORE,
              Transport.TRUSTSTORE_PASSWORD,
              Transport.KEYSTORE,
              Transport.KEYSTORE_PASSWORD,
              Transport.HOSTNAME_VERIFICATION)) {
        if (properties.getProperty(key) != null) {
          throw invalid(file, key + " is given but " + Transport.SECURE + " is not true");
        }
      }
    } else if (truststore == null) {
      throw invalid(file, Transport.SECURE + "=true needs " + Transport.TRUSTSTORE);
    }
    if ((saslUser == null) != (saslPassword == null)) {
      throw invalid(
          file,
          "SASL needs both "
              + Transport.SASL_USERNAME
              + " and "
              + Transport.SASL_PASSWORD_FILE
              + " (the password in a file of its own)");
    }
    if (!secure && saslUser == null) {
      return null;
    }
    ZooKeeperSecurity.Builder builder = ZooKeeperSecurity.builder();
    try {
      if (secure) {
        storeType(file, properties, Transport.TRUSTSTORE_TYPE, truststore);
        builder.truststore(truststore, path(properties, Transport.TRUSTSTORE_PASSWORD));
        builder.hostnameVerification(flag(file, properties, Transport.HOSTNAME_VERIFICATION, true));
        if (keystore != null) {
          storeType(file, properties, Transport.KEYSTORE_TYPE, keystore);
          builder.keystore(keystore, path(properties, Transport.KEYSTORE_PASSWORD));
        }
      }
      if (saslUser != null) {
        builder.sasl(saslUser.strip(), saslPassword);
      }
      return builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw invalid(file, e.getMessage());
    }
  }

  private static boolean flag(Path file, Properties properties, String key, boolean fallback) {
    String value = properties.getProperty(key);
    if (value == null) {
      return fallback;
    }
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(file, key + " must be true or false, not '" + value.strip() + "'");
    };
  }

  private static Path path(Properties properties, String key) {
    String value = properties.getProperty(key);
    return value == null || value.isBlank() ? null : Path.of(value.strip());
  }

  /** A store type given must be the one ZooKeeperSecurity reads from the file's name. */
  private static void storeType(Path file, Properties properties, String key, Path store) {
    String given = properties.getProperty(key);
    if (given == null) {
      return;
    }
    String name = store.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    String implied =
        name.endsWith(".p12") || name.endsWith(".pfx")
            ? "PKCS12"
            : name.endsWith(".jks") ? "JKS" : name.endsWith(".pem") ? "PEM" : null;
    if (!given.strip().equalsIgnoreCase(implied == null ? "" : implied)) {
      throw invalid(
          file,
          key
              + " is "
              + given.strip()
              + " but the store "
              + store
              + (implied == null ? " has no type in its name" : " is read as " + implied)
              + " (.p12/.pfx PKCS12, .jks JKS)");
    }
  }

  private static InvalidInputException invalid(Path file, String problem) {
    return new InvalidInputException("ZooKeeper client file " + file + ": " + problem);
  }

  private static AclModel model(Path file, Properties properties) {
    List<String> roles = List.of("acl.admins", "acl.writers", "acl.readers", "acl.secretReaders");
    if (properties.getProperty("acl.admins") == null) {
      for (String role : roles) {
        if (properties.getProperty(role) != null) {
          throw new InvalidInputException(
              "ZooKeeper client file "
                  + file
                  + ": "
                  + role
                  + " is given without acl.admins (an ACL model needs an admin)");
        }
      }
      return null;
    }
    AclModel.Builder builder = AclModel.builder();
    try {
      ids(properties, "acl.admins").forEach(builder::admin);
      ids(properties, "acl.writers").forEach(builder::writer);
      ids(properties, "acl.readers").forEach(builder::reader);
      ids(properties, "acl.secretReaders").forEach(builder::secretReader);
      return builder.build();
    } catch (InvalidInputException e) {
      throw new InvalidInputException("ZooKeeper client file " + file + ": " + e.getMessage());
    }
  }

  private static List<org.apache.zookeeper.data.Id> ids(Properties properties, String key) {
    List<org.apache.zookeeper.data.Id> ids = new ArrayList<>();
    String value = properties.getProperty(key);
    if (value == null) {
      return ids;
    }
    // a comma separates ids only before a scheme: an x509 subject has commas of its own
    for (String part : value.split(",\\s*(?=(digest|sasl|x509|world|ip):)")) {
      if (!part.isBlank()) {
        try {
          ids.add(AclModel.parseId(part));
        } catch (InvalidInputException e) {
          throw new InvalidInputException(key + ": " + e.getMessage());
        }
      }
    }
    return ids;
  }

  private static void warnIfOpen(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ)
          || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn(
            "ZooKeeper client file {} holds credentials but its group or others may read it"
                + " (chmod 600 {})",
            file,
            file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: nothing to check
    }
  }

  private static String reason(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The file read. */
  public Path path() {
    return path;
  }

  /** The digest user, if the file gives digest credentials. */
  public Optional<String> digestUser() {
    return Optional.ofNullable(digestUser);
  }

  /** The digest credentials ({@code user:password} in UTF-8), a copy; empty without. */
  public Optional<byte[]> digestCredentials() {
    return Optional.ofNullable(digest).map(byte[]::clone);
  }

  /** The ACL model, if the file gives one. */
  public Optional<AclModel> acls() {
    return Optional.ofNullable(acls);
  }

  /** The transport security (TLS, SASL), if the file gives any. */
  public Optional<ZooKeeperSecurity> security() {
    return Optional.ofNullable(security);
  }

  /**
   * Gives {@code builder} this file's transport security, credentials and ACL model; returns it.
   */
  public PipekeeperBuilder applyTo(PipekeeperBuilder builder) {
    if (security != null) {
      builder.security(security);
    }
    if (digest != null) {
      builder.authorization("digest", digest);
    }
    if (acls != null) {
      builder.acls(acls);
    }
    return builder;
  }

  /** The file and what it gives, never the password. */
  @Override
  public String toString() {
    return "ZooKeeperClientFile["
        + path
        + (security != null ? ", " + security : "")
        + (digestUser != null ? ", digest user " + digestUser : "")
        + (acls != null ? ", " + acls : "")
        + "]";
  }
}
