package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.EmbeddedSecurity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a secured embedded Kafka broker needs besides its security material: its listeners (SASL_SSL
 * with SCRAM-SHA-512, optionally SSL with client certificates), the StandardAuthorizer, the SCRAM
 * credentials to format its storage with, and the users' client properties.
 */
public final class SecureKafkaFiles {
  public static final String MECHANISM = "SCRAM-SHA-512";

  private SecureKafkaFiles() {}

  /**
   * The broker settings replacing the plaintext listener; {@code mtlsPort} 0 for none. The
   * controller listener stays plaintext on loopback: the node talks to itself there, and the
   * authorizer treats that (anonymous) principal as a super user, as it does {@code admin}.
   */
  public static Map<String, String> brokerConfig(
      EmbeddedSecurity security, int brokerPort, int controllerPort, int mtlsPort) {
    Map<String, String> p = new LinkedHashMap<>();
    String controller = KafkaBrokerRunner.CONTROLLER_LISTENER;
    String listeners = "SASL_SSL://127.0.0.1:" + brokerPort;
    String advertised = listeners;
    if (mtlsPort > 0) {
      listeners += ",SSL://127.0.0.1:" + mtlsPort;
      advertised += ",SSL://127.0.0.1:" + mtlsPort;
    }
    p.put("listeners", listeners + "," + controller + "://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", advertised);
    p.put(
        "listener.security.protocol.map", "SASL_SSL:SASL_SSL,SSL:SSL," + controller + ":PLAINTEXT");
    p.put("inter.broker.listener.name", "SASL_SSL");
    p.put("sasl.enabled.mechanisms", MECHANISM);
    p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
    p.put(
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        jaas(EmbeddedSecurity.ADMIN, security.password(EmbeddedSecurity.ADMIN)));
    String storePassword = security.storePassword();
    p.put("ssl.keystore.location", security.serverKeystore().toString());
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.password", storePassword);
    p.put("ssl.key.password", storePassword);
    p.put("ssl.truststore.location", security.truststore().toString());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.password", storePassword);
    p.put("listener.name.ssl.ssl.client.auth", "required");
    // A client certificate CN=writer is the principal User:writer.
    p.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("super.users", "User:" + EmbeddedSecurity.ADMIN + ";User:ANONYMOUS");
    p.put("allow.everyone.if.no.acl.found", "false");
    return p;
  }

  /** Every user's SCRAM-SHA-512 credential, for the storage formatter. */
  public static List<String> scramCredentials(EmbeddedSecurity security) {
    List<String> credentials = new ArrayList<>();
    for (String user : EmbeddedSecurity.USERS) {
      credentials.add(MECHANISM + "=[name=" + user + ",password=" + security.password(user) + "]");
    }
    return credentials;
  }

  /** {@code user}'s client settings on the SASL_SSL listener. */
  public static Map<String, String> saslClient(
      EmbeddedSecurity security, String bootstrap, String user) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", MECHANISM);
    p.put("sasl.jaas.config", jaas(user, security.password(user)));
    trust(security, p);
    return p;
  }

  /** {@code user}'s client settings on the mutual-TLS listener (its certificate is its name). */
  public static Map<String, String> mtlsClient(
      EmbeddedSecurity security, String bootstrap, String user) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put("security.protocol", "SSL");
    p.put("ssl.keystore.location", security.keystore(user).toString());
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.password", security.storePassword());
    p.put("ssl.key.password", security.storePassword());
    trust(security, p);
    return p;
  }

  private static void trust(EmbeddedSecurity security, Map<String, String> p) {
    p.put("ssl.truststore.location", security.truststore().toString());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.password", security.storePassword());
  }

  /** Writes {@code properties} to {@code file}, 0600. */
  public static Path write(Path file, String comment, Map<String, String> properties) {
    StringBuilder out = new StringBuilder("# ").append(comment).append('\n');
    properties.forEach(
        (key, value) ->
            out.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
    return OwnerOnly.write(file, out.toString());
  }

  private static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }
}
