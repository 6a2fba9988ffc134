package dev.pipekeeper.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.AuthenticationException;
import dev.pipekeeper.core.NotAuthorizedException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.UnreachableException;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Connection;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipekeeper on a ZooKeeper that takes client certificates as identities ({@code x509:CN=USER})
 * beside SASL: a certificate is a user with that user's rights, a certificate of another CA or none
 * at all (where one is required) is refused in one line, and a client with neither a certificate
 * nor SASL gets no session.
 */
class ClientCertificateIT {
  private static final Duration CONNECT = TestTimeouts.scaled(Duration.ofSeconds(5));
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static EmbeddedSecurity security;
  private static EmbeddedZooKeeper zk;

  @BeforeAll
  static void start() {
    security = EmbeddedSecurity.create(dir.resolve("security"));
    zk = EmbeddedZooKeeper.builder().secure(security).clientCertificates(true).build().start();
  }

  @AfterAll
  static void stop() {
    if (zk != null) {
      zk.close();
    }
  }

  /** A connection from {@code file}: its TLS, SASL or certificate, and its ACL model. */
  private static Pipekeeper connect(Path file, String cluster) {
    return ZooKeeperClientFile.load(file)
        .applyTo(
            Pipekeeper.builder()
                .zookeeper(zk.connectString())
                .cluster(cluster)
                .connectionTimeout(CONNECT))
        .build();
  }

  private static Pipekeeper byCertificate(String user, String cluster) {
    return connect(zk.clientCertificateConfigFile(user), cluster);
  }

  private static Pipekeeper connect(ZooKeeperSecurity transport, String cluster) {
    return Pipekeeper.builder()
        .zookeeper(zk.connectString())
        .cluster(cluster)
        .connectionTimeout(CONNECT)
        .security(transport)
        .build();
  }

  @Test
  void aCertificateWriterRunsMembershipElectionLocksAndConfig() throws Exception {
    try (Pipekeeper writer = byCertificate(EmbeddedSecurity.WRITER, "x509-primitives")) {
      WriterPrimitives.exercise(writer, BOUND);
    }
  }

  @Test
  void aCertificateIsItsUserWithThatUsersRightsNextToSasl() throws Exception {
    String cluster = "x509-rights";
    Scope global = Scope.global();
    try (Pipekeeper writer = byCertificate(EmbeddedSecurity.WRITER, cluster);
        Pipekeeper reader = byCertificate(EmbeddedSecurity.READER, cluster);
        Pipekeeper saslReader = connect(zk.clientConfigFile(EmbeddedSecurity.READER), cluster)) {
      writer.config().set(global, "threshold", JSON.valueToTree(5), ChangeOptions.by("test"));
      // The node carries the model, each role named by its SASL and its certificate id.
      CuratorFramework raw = Connection.of(writer).session().client();
      assertThat(raw.getACL().forPath("/config"))
          .extracting(acl -> AclModel.format(acl.getId()))
          .contains("x509:CN=writer", "sasl:writer", "x509:CN=reader", "sasl:reader");

      assertThat(reader.config().get(global, "threshold").orElseThrow().value().asInt())
          .isEqualTo(5);
      assertThat(saslReader.config().get(global, "threshold").orElseThrow().value().asInt())
          .isEqualTo(5);
      assertThatThrownBy(
              () ->
                  reader
                      .config()
                      .set(global, "threshold", JSON.valueToTree(6), ChangeOptions.by("test")))
          .isInstanceOf(NotAuthorizedException.class);
      CuratorFramework readerRaw = Connection.of(reader).session().client();
      assertThatThrownBy(() -> readerRaw.setData().forPath("/config", new byte[] {1}))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThat(writer.config().get(global, "threshold").orElseThrow().value().asInt())
          .isEqualTo(5);
    }
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefusedInOneLine() {
    EmbeddedSecurity other = EmbeddedSecurity.create(dir.resolve("other-ca"));
    ZooKeeperSecurity foreign =
        ZooKeeperSecurity.builder()
            .truststore(security.truststore(), security.storePasswordFile())
            .keystore(other.keystore(EmbeddedSecurity.WRITER), other.storePasswordFile())
            .build();
    assertThatThrownBy(() -> connect(foreign, "x509-foreign"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage(
            "TLS handshake with ZooKeeper at "
                + zk.connectString()
                + " failed: the server asked for a client certificate from CAs that did not sign"
                + " the one in this connection's keystore (is it signed by a CA the server"
                + " trusts?)");
  }

  @Test
  void neitherACertificateNorSaslGetsNoSession() {
    ZooKeeperSecurity anonymous =
        ZooKeeperSecurity.builder()
            .truststore(security.truststore(), security.storePasswordFile())
            .build();
    // The server answers the first request with SessionClosedRequireAuth and closes the session;
    // when the close reaches the client first, only the hint in the Unreachable line is left.
    assertThatThrownBy(() -> connect(anonymous, "x509-anonymous"))
        .satisfiesAnyOf(
            e ->
                assertThat(e)
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("requires SASL authentication"),
            e ->
                assertThat(e)
                    .isInstanceOf(UnreachableException.class)
                    .hasMessageContaining("the session was closed at its first request"));
  }

  /**
   * A server that requires a certificate (TLS 1.3: the client's handshake ends before the server
   * refuses the missing one) is named as such, not as a connection that never comes up.
   */
  @Test
  void aServerThatRequiresACertificateIsNamedWhenTheConnectionHasNone() throws Exception {
    try (BareTlsServer server =
        new BareTlsServer(security.serverKeystore(), security.storePassword(), true)) {
      String address = server.address();
      assertThatThrownBy(
              () ->
                  Pipekeeper.builder()
                      .zookeeper(address)
                      .connectionTimeout(CONNECT)
                      .security(
                          ZooKeeperSecurity.builder()
                              .truststore(security.truststore(), security.storePasswordFile())
                              .build())
                      .build())
          .isInstanceOf(AuthenticationException.class)
          .hasMessageStartingWith("TLS handshake with ZooKeeper at " + address + " failed: ")
          .hasMessageContaining("requires a client certificate");
    }
  }
}
