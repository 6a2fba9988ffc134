package dev.pipekeeper.embedded;

import dev.pipekeeper.embedded.internal.Certificates;
import dev.pipekeeper.embedded.internal.Dirs;
import dev.pipekeeper.embedded.internal.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The throwaway security material of secured embedded servers ({@link
 * EmbeddedZooKeeper.Builder#secure(EmbeddedSecurity)}, {@link
 * EmbeddedKafka.Builder#secure(EmbeddedSecurity)}): a CA made for the purpose, a server keystore
 * for {@code localhost} and {@code 127.0.0.1}, a truststore with the CA, and for each of the users
 * {@value #ADMIN}, {@value #WRITER} and {@value #READER} a random password and a client certificate
 * ({@code CN=USER}) for mutual TLS.
 *
 * <p>Everything is kept in one folder, each file readable by its owner only (0600): {@code ca.p12},
 * {@code truststore.p12}, {@code server.p12}, {@code USER.p12}, the stores' password in {@code
 * stores.password} and each user's in {@code USER.password}. {@link #create(Path)} reuses what an
 * earlier call left in the folder. Not for production: the CA's key lies beside its certificate.
 */
public final class EmbeddedSecurity {
  public static final String ADMIN = "admin";
  public static final String WRITER = "writer";
  public static final String READER = "reader";

  /** The users every secured embedded server knows. */
  public static final List<String> USERS = List.of(ADMIN, WRITER, READER);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;

  private EmbeddedSecurity(Path dir) {
    this.dir = dir;
  }

  /**
   * The material in {@code dir}: made there now (the folder is created if need be), or read back if
   * an earlier call made it.
   *
   * @throws EmbeddedServerException if a file cannot be made or read
   */
  public static EmbeddedSecurity create(Path dir) {
    Dirs.create(dir);
    EmbeddedSecurity security = new EmbeddedSecurity(dir);
    if (!Files.exists(security.storePasswordFile()) || !Files.exists(dir.resolve("ca.p12"))) {
      security.generate();
    }
    return security;
  }

  private void generate() {
    char[] storePassword = randomPassword().toCharArray();
    // A name of its own: two folders' CAs must not be taken for one another.
    Certificates ca =
        Certificates.newAuthority(
            "pipekeeper-embedded-ca-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
    ca.saveAuthority(dir.resolve("ca.p12"), storePassword);
    ca.writeTruststore(truststore(), storePassword);
    ca.writeKeystore(
        serverKeystore(),
        storePassword,
        "localhost",
        List.of("localhost"),
        List.of("127.0.0.1", "::1"));
    for (String user : USERS) {
      ca.writeKeystore(keystore(user), storePassword, user, List.of(), List.of());
      OwnerOnly.write(passwordFile(user), randomPassword());
    }
    // Last: its presence says the folder is complete.
    OwnerOnly.write(storePasswordFile(), new String(storePassword));
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The folder everything is kept in. */
  public Path dir() {
    return dir;
  }

  /** The PKCS12 truststore holding the CA's certificate. */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /** The PKCS12 keystore of the servers: a certificate for {@code localhost} and loopback. */
  public Path serverKeystore() {
    return dir.resolve("server.p12");
  }

  /** The PKCS12 keystore of {@code user}'s client certificate ({@code CN=user}), for mutual TLS. */
  public Path keystore(String user) {
    return dir.resolve(checkUser(user) + ".p12");
  }

  /** The file holding the password of every store here (one line, no newline). */
  public Path storePasswordFile() {
    return dir.resolve("stores.password");
  }

  /** The file holding {@code user}'s password (SASL DIGEST-MD5 and SCRAM alike). */
  public Path passwordFile(String user) {
    return dir.resolve(checkUser(user) + ".password");
  }

  /** The password of the stores, read from {@link #storePasswordFile()}. */
  public String storePassword() {
    return read(storePasswordFile());
  }

  /** {@code user}'s password, read from {@link #passwordFile(String)}. */
  public String password(String user) {
    return read(passwordFile(user));
  }

  /** A TLS client context that trusts this CA only: for probes and tests. */
  public SSLContext clientSslContext() {
    try (InputStream in = Files.newInputStream(truststore())) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(in, storePassword().toCharArray());
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), RANDOM);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot read truststore " + truststore(), e);
    }
  }

  private static String checkUser(String user) {
    if (!USERS.contains(user)) {
      throw new IllegalArgumentException("unknown user " + user + "; the users are " + USERS);
    }
    return user;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
