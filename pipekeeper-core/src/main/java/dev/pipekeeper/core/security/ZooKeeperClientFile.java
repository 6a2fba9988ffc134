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
 * A ZooKeeper client properties file: the credentials of a connection and its {@link AclModel}. The
 * file itself is the secret (keep it readable by its owner only); its password is never logged,
 * printed or part of {@link #toString()}.
 *
 * <pre class="language-properties">
 * # digest credentials of this connection (user:password)
 * digest=alice:alice-secret
 * # the ACL model of the nodes it creates (comma-separated SCHEME:ID)
 * acl.readers=x509:CN=dashboard,O=example
 * acl.admins=digest:alice:HASH
 * acl.writers=digest:pipeline:HASH,sasl:pipeline
 * acl.secretReaders=digest:pipeline:HASH
 * </pre>
 *
 * <p>Unknown keys are refused, naming the key and the file. The {@code acl.*} keys are optional;
 * without {@code acl.admins} there is no model (and the others must not be given).
 */
public final class ZooKeeperClientFile {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperClientFile.class);

  /** The keys this class reads. */
  public static final Set<String> KEYS =
      Set.of("digest", "acl.admins", "acl.writers", "acl.readers", "acl.secretReaders");

  private final Path path;
  private final String digestUser;
  private final byte[] digest;
  private final AclModel acls;

  private ZooKeeperClientFile(Path path, String digestUser, byte[] digest, AclModel acls) {
    this.path = path;
    this.digestUser = digestUser;
    this.digest = digest;
    this.acls = acls;
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
    return new ZooKeeperClientFile(file, user, digest, model(file, properties));
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

  /** Gives {@code builder} this file's credentials and ACL model; returns it. */
  public PipekeeperBuilder applyTo(PipekeeperBuilder builder) {
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
        + (digestUser != null ? ", digest user " + digestUser : "")
        + (acls != null ? ", " + acls : "")
        + "]";
  }
}
