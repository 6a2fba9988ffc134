package dev.pipekeeper.core.security;

import dev.pipekeeper.core.InvalidInputException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * Who may do what to the nodes Pipekeeper creates: four roles, each a list of ZooKeeper ids ({@code
 * digest}, {@code sasl}, {@code x509}, ...).
 *
 * <ul>
 *   <li><b>admins</b>: everything, including changing ACLs ({@code ALL});
 *   <li><b>writers</b> (members and operators): read, write, create and delete;
 *   <li><b>readers</b>: read only;
 *   <li><b>secretReaders</b>: may read the values of secret configuration keys (schema {@code
 *       "writeOnly": true}), which admins alone may read otherwise; writers may still set and
 *       delete them, readers and anyone else get NoAuth.
 * </ul>
 *
 * <p>An id may hold several roles; its permissions are then their union. At least one admin is
 * required (else nobody could ever change the ACLs).
 *
 * <pre>{@code
 * AclModel model =
 *     AclModel.builder()
 *         .admin(AclModel.digestId("alice", "alice-secret"))
 *         .writer(AclModel.saslId("pipeline"))
 *         .reader(AclModel.x509Id("CN=dashboard,O=example"))
 *         .secretReader(AclModel.saslId("pipeline"))
 *         .build();
 * }</pre>
 */
public final class AclModel {
  /** What writers may do: read, write, create, delete (not change ACLs). */
  public static final int WRITER_PERMS =
      ZooDefs.Perms.READ | ZooDefs.Perms.WRITE | ZooDefs.Perms.CREATE | ZooDefs.Perms.DELETE;

  private static final Set<String> SCHEMES = Set.of("digest", "sasl", "x509", "world", "ip");

  private final List<Id> admins;
  private final List<Id> writers;
  private final List<Id> readers;
  private final List<Id> secretReaders;

  private AclModel(Builder builder) {
    this.admins = List.copyOf(builder.admins);
    this.writers = List.copyOf(builder.writers);
    this.readers = List.copyOf(builder.readers);
    this.secretReaders = List.copyOf(builder.secretReaders);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The digest id of {@code user} with {@code password}, as ZooKeeper stores it ({@code
   * digest:user:BASE64(SHA1(user:password))}); the password itself is not kept.
   */
  public static Id digestId(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.isEmpty() || user.contains(":")) {
      throw new InvalidInputException("digest user '" + user + "' must be non-empty without ':'");
    }
    try {
      return new Id("digest", DigestAuthenticationProvider.generateDigest(user + ":" + password));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }

  /** The id of a SASL principal, e.g. {@code pipeline} or {@code pipeline@EXAMPLE.COM}. */
  public static Id saslId(String principal) {
    return parseId("sasl:" + principal);
  }

  /** The id of a TLS client certificate's subject, e.g. {@code CN=dashboard,O=example}. */
  public static Id x509Id(String subject) {
    return parseId("x509:" + subject);
  }

  /**
   * Parses {@code SCHEME:ID} as ZooKeeper writes it: {@code digest:alice:HASH}, {@code sasl:bob},
   * {@code x509:CN=...}, {@code world:anyone}, {@code ip:10.0.0.0/8}.
   *
   * @throws InvalidInputException naming what is wrong with {@code text}
   */
  public static Id parseId(String text) {
    Objects.requireNonNull(text, "id");
    String trimmed = text.strip();
    int colon = trimmed.indexOf(':');
    if (colon <= 0 || colon == trimmed.length() - 1) {
      throw new InvalidInputException(
          "ZooKeeper id '" + trimmed + "' is not SCHEME:ID (e.g. digest:alice:HASH, sasl:bob)");
    }
    String scheme = trimmed.substring(0, colon);
    String id = trimmed.substring(colon + 1);
    if (!SCHEMES.contains(scheme)) {
      throw new InvalidInputException(
          "ZooKeeper id '"
              + trimmed
              + "' has an unknown scheme '"
              + scheme
              + "' (known: digest, sasl, x509, world, ip)");
    }
    if (scheme.equals("digest")) {
      int sep = id.indexOf(':');
      if (sep <= 0 || id.length() - sep - 1 != 28) {
        throw new InvalidInputException(
            "digest id 'digest:"
                + id.substring(0, Math.max(sep, 0))
                + ":...' is not digest:USER:HASH with the 28-character base64 SHA-1 of"
                + " USER:PASSWORD (AclModel.digestId computes it)");
      }
    }
    return new Id(scheme, id);
  }

  /** How an id reads in files and reports: {@code scheme:id}. */
  public static String format(Id id) {
    return id.getScheme() + ":" + id.getId();
  }

  public List<Id> admins() {
    return admins;
  }

  public List<Id> writers() {
    return writers;
  }

  public List<Id> readers() {
    return readers;
  }

  public List<Id> secretReaders() {
    return secretReaders;
  }

  /** The ACL of every node: admins ALL, writers read/write/create/delete, readers read. */
  public List<ACL> nodeAcl() {
    Map<Id, Integer> perms = new LinkedHashMap<>();
    admins.forEach(id -> perms.merge(id, ZooDefs.Perms.ALL, (a, b) -> a | b));
    writers.forEach(id -> perms.merge(id, WRITER_PERMS, (a, b) -> a | b));
    readers.forEach(id -> perms.merge(id, ZooDefs.Perms.READ, (a, b) -> a | b));
    return toAcl(perms);
  }

  /**
   * The ACL of a secret value and its history entries: admins ALL, secretReaders read, writers
   * write, create and delete but not read; readers nothing.
   */
  public List<ACL> secretAcl() {
    Map<Id, Integer> perms = new LinkedHashMap<>();
    admins.forEach(id -> perms.merge(id, ZooDefs.Perms.ALL, (a, b) -> a | b));
    writers.forEach(id -> perms.merge(id, WRITER_PERMS & ~ZooDefs.Perms.READ, (a, b) -> a | b));
    secretReaders.forEach(id -> perms.merge(id, ZooDefs.Perms.READ, (a, b) -> a | b));
    return toAcl(perms);
  }

  private static List<ACL> toAcl(Map<Id, Integer> perms) {
    List<ACL> acl = new ArrayList<>();
    perms.forEach((id, p) -> acl.add(new ACL(p, id)));
    // not List.copyOf: ZooKeeper's validateACL asks contains(null), which List.of refuses
    return Collections.unmodifiableList(acl);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AclModel that
        && admins.equals(that.admins)
        && writers.equals(that.writers)
        && readers.equals(that.readers)
        && secretReaders.equals(that.secretReaders);
  }

  @Override
  public int hashCode() {
    return Objects.hash(admins, writers, readers, secretReaders);
  }

  /** The roles and their ids (digest ids show their hash only, never a password). */
  @Override
  public String toString() {
    return "AclModel[admins="
        + names(admins)
        + ", writers="
        + names(writers)
        + ", readers="
        + names(readers)
        + ", secretReaders="
        + names(secretReaders)
        + "]";
  }

  private static List<String> names(List<Id> ids) {
    return ids.stream().map(AclModel::format).toList();
  }

  /** Collects the ids of each role. */
  public static final class Builder {
    private final List<Id> admins = new ArrayList<>();
    private final List<Id> writers = new ArrayList<>();
    private final List<Id> readers = new ArrayList<>();
    private final List<Id> secretReaders = new ArrayList<>();

    private Builder() {}

    /** Adds an admin: everything, including ACL changes. */
    public Builder admin(Id id) {
      admins.add(Objects.requireNonNull(id));
      return this;
    }

    /** Adds a writer: read, write, create, delete. */
    public Builder writer(Id id) {
      writers.add(Objects.requireNonNull(id));
      return this;
    }

    /** Adds a reader: read only, never secret values. */
    public Builder reader(Id id) {
      readers.add(Objects.requireNonNull(id));
      return this;
    }

    /** Adds a secret reader: may read secret values (give it a member that needs them). */
    public Builder secretReader(Id id) {
      secretReaders.add(Objects.requireNonNull(id));
      return this;
    }

    /**
     * @throws InvalidInputException without an admin
     */
    public AclModel build() {
      if (admins.isEmpty()) {
        throw new InvalidInputException(
            "an ACL model needs at least one admin, or nobody could ever change its ACLs");
      }
      return new AclModel(this);
    }
  }
}
