package dev.pipekeeper.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.AuthenticationException;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.UnreachableException;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.ensemble.EnsembleProbe;
import dev.pipekeeper.core.ensemble.ServerStatus;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReports;
import dev.pipekeeper.core.internal.Connection;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.security.internal.ZooKeeperTransport;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipekeeper against a ZooKeeper that takes TLS only and requires SASL. */
class SecuredZooKeeperIT {
  private static final Duration CONNECT = TestTimeouts.scaled(Duration.ofSeconds(5));
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @TempDir static Path dir;
  private static EmbeddedSecurity security;
  private static EmbeddedZooKeeper zk;

  @BeforeAll
  static void start() {
    security = EmbeddedSecurity.create(dir.resolve("security"));
    zk = EmbeddedZooKeeper.builder().secure(security).build().start();
  }

  @AfterAll
  static void stop() {
    if (zk != null) {
      zk.close();
    }
  }

  private static ZooKeeperSecurity.Builder tls() {
    return ZooKeeperSecurity.builder()
        .truststore(security.truststore(), security.storePasswordFile());
  }

  private static ZooKeeperSecurity as(String user) {
    return tls().sasl(user, security.passwordFile(user)).build();
  }

  private static Pipekeeper connect(ZooKeeperSecurity security, String cluster) {
    return Pipekeeper.builder()
        .zookeeper(zk.connectString())
        .cluster(cluster)
        .connectionTimeout(CONNECT)
        .security(security)
        .build();
  }

  @Test
  void aPlaintextClientIsRefusedInOneLine() {
    assertThatThrownBy(
            () ->
                Pipekeeper.builder()
                    .zookeeper(zk.connectString())
                    .connectionTimeout(CONNECT)
                    .build())
        .isInstanceOf(AuthenticationException.class)
        .hasMessage(
            "ZooKeeper at "
                + zk.connectString()
                + " takes TLS only and this connection is plaintext: configure TLS (a truststore)");
  }

  @Test
  void aPortThatAcceptsButNeverAnswersIsUnreachableNotTls() {
    try (dev.pipekeeper.embedded.TcpProxy proxy =
        dev.pipekeeper.embedded.TcpProxy.start("127.0.0.1", zk.server(1).clientPort())) {
      proxy.blackhole();
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  Pipekeeper.builder()
                      .zookeeper(proxy.address())
                      .connectionTimeout(Duration.ofSeconds(2))
                      .sessionTimeout(Duration.ofSeconds(2))
                      .build())
          .isInstanceOf(UnreachableException.class);
      // The connection timeout (2 s), asking the port for TLS (at most 1 s to connect, 1 s to
      // answer; about 1.3 s here) and ZooKeeper's own close of a client that never connected
      // (about 2.5 s with a 2 s session): about 6 s measured.
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(TestTimeouts.scaled(Duration.ofSeconds(9)));
    }
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused() {
    EmbeddedSecurity other = EmbeddedSecurity.create(dir.resolve("other-ca"));
    ZooKeeperSecurity untrusting =
        ZooKeeperSecurity.builder()
            .truststore(other.truststore(), other.storePasswordFile())
            .sasl("admin", security.passwordFile("admin"))
            .build();
    assertThatThrownBy(() -> connect(untrusting, "untrusted"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage(
            "TLS handshake with ZooKeeper at "
                + zk.connectString()
                + " failed: the server's certificate is not trusted by the truststore");
  }

  @Test
  void aCertificateThatDoesNotNameTheHostIsRefusedUnlessVerificationIsOff() throws Exception {
    // A TLS server whose certificate (the CA's own, CN=writer) names no host at all.
    try (BareTlsServer server =
        new BareTlsServer(security.keystore("writer"), security.storePassword(), false)) {
      String address = server.address();

      assertThatThrownBy(
              () ->
                  Pipekeeper.builder()
                      .zookeeper(address)
                      .connectionTimeout(CONNECT)
                      .security(as("writer"))
                      .build())
          .isInstanceOf(AuthenticationException.class)
          .hasMessageStartingWith(
              "TLS handshake with ZooKeeper at "
                  + address
                  + " failed: the server's certificate does not name the host connected to"
                  + " (hostname verification)");
      // Without verification the handshake passes; this server speaks no ZooKeeper, though.
      assertThatThrownBy(
              () ->
                  Pipekeeper.builder()
                      .zookeeper(address)
                      .connectionTimeout(CONNECT)
                      .security(
                          tls()
                              .hostnameVerification(false)
                              .sasl("writer", security.passwordFile("writer"))
                              .build())
                      .build())
          .isInstanceOf(UnreachableException.class);
    }
  }

  @Test
  void aTlsClientOnAPlaintextPortIsRefusedInOneLine() {
    try (EmbeddedZooKeeper plain = EmbeddedZooKeeper.builder().build().start()) {
      assertThatThrownBy(
              () ->
                  Pipekeeper.builder()
                      .zookeeper(plain.connectString())
                      .connectionTimeout(CONNECT)
                      .security(as("writer"))
                      .build())
          .isInstanceOf(AuthenticationException.class)
          .hasMessage(
              "TLS handshake with ZooKeeper at "
                  + plain.connectString()
                  + " failed: the server closed the connection during the handshake (is the port"
                  + " plaintext, or does the server require a client certificate?)");
    }
  }

  @Test
  void aWrongPasswordIsRefusedInOneLine() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong.password"), "not-the-password");
    ZooKeeperSecurity wrongPassword = tls().sasl("writer", wrong).build();
    assertThatThrownBy(() -> connect(wrongPassword, "wrong"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageStartingWith(
            "SASL authentication as writer failed at ZooKeeper " + zk.connectString());
  }

  @Test
  void anUnknownUserIsRefused() throws Exception {
    Path password = Files.writeString(dir.resolve("nobody.password"), "whatever");
    assertThatThrownBy(() -> connect(tls().sasl("nobody", password).build(), "nobody"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageStartingWith("SASL authentication as nobody failed");
  }

  @Test
  void missingCredentialsAreRefusedInOneLine() {
    // The server answers the first request with SessionClosedRequireAuth and closes the session;
    // when the close reaches the client first, only the hint in the Unreachable line is left.
    assertThatThrownBy(() -> connect(tls().build(), "anonymous"))
        .satisfiesAnyOf(
            e ->
                assertThat(e)
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessage(
                        "ZooKeeper at "
                            + zk.connectString()
                            + " requires SASL authentication and this connection has no SASL"
                            + " user"),
            e ->
                assertThat(e)
                    .isInstanceOf(UnreachableException.class)
                    .hasMessageEndingWith(
                        "the session was closed at its first request (does the server require"
                            + " SASL authentication? this connection has none)"));
  }

  @Test
  void aMissingPasswordFileIsNamed() {
    Path missing = dir.resolve("no-such.password");
    assertThatThrownBy(() -> connect(tls().sasl("writer", missing).build(), "missing"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("cannot read the SASL password of writer from " + missing + ": no such file");
  }

  @Test
  void twoConnectionsWithDifferentUsersInOneJvmEachHaveTheirOwnRights() throws Exception {
    // Authenticated without a model, a connection's nodes are its own (creator-only), so the two
    // share a model that lets the writer create under the cluster the admin made.
    AclModel model =
        AclModel.builder()
            .admin(AclModel.saslId(EmbeddedSecurity.ADMIN))
            .writer(AclModel.saslId(EmbeddedSecurity.WRITER))
            .build();
    try (Pipekeeper admin = connect(as("admin"), model, "two-users");
        Pipekeeper writer = connect(as("writer"), model, "two-users")) {
      CuratorFramework adminClient = Connection.of(admin).session().client();
      CuratorFramework writerClient = Connection.of(writer).session().client();
      adminClient
          .create()
          .withACL(ZooDefs.Ids.CREATOR_ALL_ACL)
          .forPath("/admin-only", new byte[] {1});
      writerClient
          .create()
          .withACL(ZooDefs.Ids.CREATOR_ALL_ACL)
          .forPath("/writer-only", new byte[] {2});

      assertThat(adminClient.getACL().forPath("/admin-only").get(0).getId().getId())
          .isEqualTo("admin");
      assertThat(writerClient.getACL().forPath("/writer-only").get(0).getId().getId())
          .isEqualTo("writer");
      assertThatThrownBy(() -> writerClient.getData().forPath("/admin-only"))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> adminClient.getData().forPath("/writer-only"))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThat(adminClient.getData().forPath("/admin-only")).containsExactly(1);
    }
  }

  @Test
  void withSaslAndNoModelAConnectionsNodesAreItsOwn() throws Exception {
    try (Pipekeeper writer = connect(as("writer"), "sasl-creator-only")) {
      CuratorFramework client = Connection.of(writer).session().client();
      writer.workUnits("g").put(dev.pipekeeper.core.assignment.WorkUnit.of("u1"));
      assertThat(client.getACL().forPath("/units/g/u1"))
          .extracting(acl -> acl.getId().getScheme() + ":" + acl.getId().getId())
          .containsExactly("sasl:writer");
    }
  }

  private static Pipekeeper connect(ZooKeeperSecurity security, AclModel model, String cluster) {
    return Pipekeeper.builder()
        .zookeeper(zk.connectString())
        .cluster(cluster)
        .connectionTimeout(CONNECT)
        .security(security)
        .acls(model)
        .build();
  }

  @Test
  void aSecuredWriterRunsMembershipElectionLocksAndConfig() throws Exception {
    try (Pipekeeper writer = connect(as("writer"), "primitives")) {
      WriterPrimitives.exercise(writer, BOUND);
    }
  }

  /**
   * The rest of the primitives as writer: work units and their assignment, health records, and the
   * monitor, whose ZooKeeper rule asks the TLS-only servers about themselves over TLS (a plaintext
   * four-letter word would find them unreachable and fire an alert).
   */
  @Test
  void aSecuredWriterRunsAssignmentHealthAndTheMonitor() throws Exception {
    String cluster = "primitives-2";
    try (Pipekeeper writer = connect(EmbeddedSecurity.WRITER, cluster);
        Pipekeeper reader = connect(EmbeddedSecurity.READER, cluster)) {
      writer.workUnits("ingest").put(WorkUnit.of("tenant-1"));
      writer.workUnits("ingest").put(WorkUnit.of("tenant-2"));
      try (GroupWorker worker =
          writer.worker("ingest", MemberInfo.defaults(), IDLE, WorkerOptions.defaults())) {
        assertThat(worker.awaitRunning(units -> units.size() == 2, BOUND)).isTrue();
      }
      writer.workUnits("ingest").remove("tenant-1");
      writer.workUnits("ingest").remove("tenant-2");
      try (HealthPublication publishing =
          writer
              .health()
              .publish(
                  "ingest",
                  Duration.ofMillis(100),
                  () -> HealthReports.running("ingest", writer.identity()))) {
        publishing.publishNow();
        await().atMost(BOUND).until(() -> reader.health().reports("ingest").size() == 1);
      }
      try (Monitor monitor = writer.monitor().evaluationInterval(Duration.ofMillis(200)).start()) {
        await().atMost(BOUND).until(monitor::isLeading);
        Instant settled = Instant.now().plusMillis(600); // three evaluations and more
        await()
            .atMost(BOUND)
            .until(() -> monitor.lastEvaluation().filter(e -> e.at().isAfter(settled)).isPresent());
        assertThat(monitor.alerts()).isEmpty();
        assertThat(reader.alerts().active()).isEmpty();
      }
    }
  }

  /**
   * {@code status} and the monitor ask the servers about themselves ({@code srvr}) as their
   * connection talks to them: over TLS with its truststore; plaintext, a TLS-only port is named.
   */
  @Test
  void theEnsembleProbeAsksTlsOnlyServersOverTls() {
    EmbeddedSecurity other = EmbeddedSecurity.create(dir.resolve("probe-other-ca"));
    try (ZooKeeperTransport trusted = ZooKeeperTransport.open(tls().build(), "probe");
        ZooKeeperTransport untrusted =
            ZooKeeperTransport.open(
                ZooKeeperSecurity.builder()
                    .truststore(other.truststore(), other.storePasswordFile())
                    .build(),
                "probe-other-ca")) {
      EnsembleProbe probe = new EnsembleProbe(CONNECT);
      ServerStatus secure = probe.probe(zk.connectString(), trusted.clientConfig()).get(0);
      assertThat(secure.serving()).as(secure.toString()).isTrue();
      assertThat(secure.mode()).contains("standalone");

      ServerStatus plaintext = probe.probe(zk.connectString()).get(0);
      assertThat(plaintext.serving()).isFalse();
      assertThat(plaintext.error()).hasValueSatisfying(e -> assertThat(e).contains("TLS only"));

      ServerStatus otherCa = probe.probe(zk.connectString(), untrusted.clientConfig()).get(0);
      assertThat(otherCa.serving()).as(otherCa.toString()).isFalse();
    }
  }

  private static final UnitHandler IDLE =
      new UnitHandler() {
        @Override
        public void start(UnitOwnership unit) {}

        @Override
        public void stop(UnitOwnership unit) {}
      };

  /**
   * The client files pipekeeper-embedded (and {@code pipekeeper local --secure}) writes are what
   * {@code --zk-config} reads: TLS, SASL as the file's user and the ACL model, one file per user.
   */
  @Test
  void theClientFileOfEachUserConnectsWithThatUsersRights() {
    String cluster = "client-files";
    Scope global = Scope.global();
    try (Pipekeeper writer = connect(EmbeddedSecurity.WRITER, cluster);
        Pipekeeper reader = connect(EmbeddedSecurity.READER, cluster)) {
      writer
          .config()
          .set(global, "threshold", new ObjectMapper().valueToTree(5), ChangeOptions.by("test"));
      assertThat(reader.config().get(global, "threshold").orElseThrow().value().asInt())
          .isEqualTo(5);
      assertThatThrownBy(
              () ->
                  reader
                      .config()
                      .set(
                          global,
                          "threshold",
                          new ObjectMapper().valueToTree(6),
                          ChangeOptions.by("test")))
          .isInstanceOf(dev.pipekeeper.core.NotAuthorizedException.class);
      assertThat(writer.config().get(global, "threshold").orElseThrow().value().asInt())
          .isEqualTo(5);
    }
  }

  private static Pipekeeper connect(String user, String cluster) {
    ZooKeeperClientFile file = ZooKeeperClientFile.load(zk.clientConfigFile(user));
    assertThat(file.security()).isPresent();
    assertThat(file.acls()).isPresent();
    return file.applyTo(
            Pipekeeper.builder()
                .zookeeper(zk.connectString())
                .cluster(cluster)
                .connectionTimeout(CONNECT))
        .build();
  }
}
