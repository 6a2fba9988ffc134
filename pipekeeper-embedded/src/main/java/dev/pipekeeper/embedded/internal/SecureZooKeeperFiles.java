package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.EmbeddedSecurity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;

/**
 * What a secured embedded ZooKeeper server needs besides its security material: its zoo.cfg keys
 * (TLS on the client port, SASL or, when asked for, a client certificate required), the JAAS file
 * of its users, the child JVM's options, the users' client config files, and a four-letter-word
 * probe over TLS.
 */
public final class SecureZooKeeperFiles {
  public static final String SASL_USERNAME = "pipekeeper.sasl.username";
  public static final String SASL_PASSWORD_FILE = "pipekeeper.sasl.passwordFile";

  private SecureZooKeeperFiles() {}

  public static Path jaasFile(EmbeddedSecurity security) {
    return security.dir().resolve("zookeeper-server-jaas.conf");
  }

  public static Path clientConfigFile(EmbeddedSecurity security, String user) {
    security.passwordFile(user); // checks the user
    return security.dir().resolve("zookeeper-" + user + ".properties");
  }

  /** {@code user}'s client config file that authenticates with its certificate, not SASL. */
  public static Path certificateConfigFile(EmbeddedSecurity security, String user) {
    security.passwordFile(user); // checks the user
    return security.dir().resolve("zookeeper-" + user + "-x509.properties");
  }

  /** The x509 id ZooKeeper gives a session that presented {@code user}'s certificate. */
  public static String x509Id(String user) {
    return "x509:CN=" + user;
  }

  /**
   * Writes the server's JAAS file and every user's client config file; with {@code
   * clientCertificates}, also the files of the users' certificate identities, and the ACL model of
   * every file names each role by both ids (SASL and certificate), so either kind of client has the
   * rights of its user.
   */
  public static void writeFiles(EmbeddedSecurity security, boolean clientCertificates) {
    StringBuilder jaas = new StringBuilder();
    jaas.append("Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required");
    for (String user : EmbeddedSecurity.USERS) {
      jaas.append("\n  user_").append(user).append("=\"").append(security.password(user));
      jaas.append('"');
    }
    jaas.append(";\n};\n");
    OwnerOnly.write(jaasFile(security), jaas.toString());
    for (String user : EmbeddedSecurity.USERS) {
      StringBuilder client = transport(security, user, "");
      // ZooKeeper's FIPS mode (on by default since 3.9) refuses SASL DIGEST-MD5.
      client.append("zookeeper.fips-mode=false\n");
      client.append(SASL_USERNAME).append('=').append(user).append('\n');
      line(client, SASL_PASSWORD_FILE, security.passwordFile(user));
      aclModel(client, clientCertificates);
      OwnerOnly.write(clientConfigFile(security, user), client.toString());
      if (clientCertificates) {
        StringBuilder x509 = transport(security, user, ", by its certificate CN=" + user);
        line(x509, "zookeeper.ssl.keyStore.location", security.keystore(user));
        x509.append("zookeeper.ssl.keyStore.type=PKCS12\n");
        line(x509, "zookeeper.ssl.keyStore.passwordPath", security.storePasswordFile());
        aclModel(x509, true);
        OwnerOnly.write(certificateConfigFile(security, user), x509.toString());
      }
    }
  }

  /** The TLS lines every client file starts with. */
  private static StringBuilder transport(EmbeddedSecurity security, String user, String how) {
    StringBuilder client = new StringBuilder();
    client.append("# ZooKeeper client settings of ").append(user).append(how);
    client.append(" (pipekeeper-embedded, throwaway CA)\n");
    client.append("zookeeper.client.secure=true\n");
    client.append("zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty\n");
    line(client, "zookeeper.ssl.trustStore.location", security.truststore());
    client.append("zookeeper.ssl.trustStore.type=PKCS12\n");
    line(client, "zookeeper.ssl.trustStore.passwordPath", security.storePasswordFile());
    client.append("zookeeper.ssl.hostnameVerification=true\n");
    return client;
  }

  /**
   * Pipekeeper's ACL model of the nodes a client creates, the same in every user's file: admin
   * changes everything, writer runs members and reads secrets, reader only reads.
   */
  private static void aclModel(StringBuilder client, boolean withCertificates) {
    role(client, "acl.admins", EmbeddedSecurity.ADMIN, withCertificates);
    role(client, "acl.writers", EmbeddedSecurity.WRITER, withCertificates);
    role(client, "acl.readers", EmbeddedSecurity.READER, withCertificates);
    role(client, "acl.secretReaders", EmbeddedSecurity.WRITER, withCertificates);
  }

  private static void role(StringBuilder client, String key, String user, boolean x509) {
    client.append(key).append("=sasl:").append(user);
    if (x509) {
      client.append(',').append(x509Id(user));
    }
    client.append('\n');
  }

  private static void line(StringBuilder out, String key, Path value) {
    // Properties files read a backslash as an escape: Windows paths need theirs doubled.
    out.append(key).append('=').append(value.toString().replace("\\", "\\\\")).append('\n');
  }

  /**
   * The zoo.cfg keys of a secured server listening on {@code port}, instead of the client port;
   * with {@code clientCertificates} a client may authenticate with a certificate of the CA instead
   * of SASL.
   */
  public static Map<String, String> serverConfig(
      EmbeddedSecurity security, int port, boolean clientCertificates) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("secureClientPort", Integer.toString(port));
    p.put("secureClientPortAddress", "127.0.0.1");
    p.put("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
    p.put("ssl.keyStore.location", security.serverKeystore().toString());
    p.put("ssl.keyStore.type", "PKCS12");
    p.put("ssl.keyStore.passwordPath", security.storePasswordFile().toString());
    p.put("ssl.trustStore.location", security.truststore().toString());
    p.put("ssl.trustStore.type", "PKCS12");
    p.put("ssl.trustStore.passwordPath", security.storePasswordFile().toString());
    p.put("authProvider.sasl", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
    p.put("enforce.auth.enabled", "true");
    if (clientCertificates) {
      // A certificate is asked for, not required: a client without one authenticates with SASL.
      // One that presents a certificate of the CA is the session's id x509:CN=USER; a session with
      // neither is closed at its first request.
      p.put("ssl.clientAuth", "want");
      p.put("authProvider.x509", "org.apache.zookeeper.server.auth.X509AuthenticationProvider");
      // The users' certificates name a user, not the host they connect from.
      p.put("ssl.clientHostnameVerification", "false");
      p.put("enforce.auth.schemes", "sasl,x509");
    } else {
      // SASL authenticates; client certificates are neither asked for nor checked.
      p.put("ssl.clientAuth", "none");
      p.put("enforce.auth.schemes", "sasl");
    }
    return p;
  }

  public static List<String> serverJvmOptions(EmbeddedSecurity security) {
    return List.of("-Djava.security.auth.login.config=" + jaasFile(security));
  }

  /** Sends a four-letter word over TLS (trusting the CA) and returns the answer. */
  public static String fourLetterWord(EmbeddedSecurity security, int port, String word)
      throws IOException {
    try (SSLSocket socket =
        (SSLSocket) security.clientSslContext().getSocketFactory().createSocket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(1000);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        answer.write(buffer, 0, n);
      }
      return answer.toString(StandardCharsets.UTF_8);
    }
  }
}
