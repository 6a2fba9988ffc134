package dev.pipekeeper.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ACL model's permissions and the client file's format, refusals and discretion. */
class ZooKeeperClientFileTest {
  @TempDir Path dir;

  private Path file(String text) throws Exception {
    Path file = dir.resolve("zk.properties");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void aFileGivesCredentialsAndTheModelWithoutEverShowingThePassword() throws Exception {
    Id alice = AclModel.digestId("alice", "alice-secret");
    Id pipeline = AclModel.digestId("pipeline", "pipeline-secret");
    ZooKeeperClientFile loaded =
        ZooKeeperClientFile.load(
            file(
                "digest=alice:alice-secret\n"
                    + "acl.admins="
                    + AclModel.format(alice)
                    + "\nacl.writers="
                    + AclModel.format(pipeline)
                    + ", sasl:pipeline\n"
                    + "acl.readers=x509:CN=dashboard,O=example\n"
                    + "acl.secretReaders=sasl:pipeline\n"));
    assertThat(loaded.digestUser()).contains("alice");
    assertThat(new String(loaded.digestCredentials().orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("alice:alice-secret");
    AclModel model = loaded.acls().orElseThrow();
    assertThat(model.admins()).containsExactly(alice);
    assertThat(model.writers()).containsExactly(pipeline, AclModel.saslId("pipeline"));
    assertThat(model.readers()).containsExactly(AclModel.x509Id("CN=dashboard,O=example"));
    assertThat(model.secretReaders()).containsExactly(AclModel.saslId("pipeline"));
    assertThat(loaded.toString()).contains("alice").doesNotContain("alice-secret");
    assertThat(model.toString()).doesNotContain("secret:");
  }

  @Test
  void theModelGivesEachRoleItsPermissionsAndSecretsOnlyToAdminsAndSecretReaders() {
    Id admin = AclModel.digestId("admin", "a");
    Id writer = AclModel.saslId("writer");
    Id reader = AclModel.saslId("reader");
    Id both = AclModel.saslId("member");
    AclModel model =
        AclModel.builder()
            .admin(admin)
            .writer(writer)
            .writer(both)
            .reader(reader)
            .secretReader(both)
            .build();
    int rwcd =
        ZooDefs.Perms.READ | ZooDefs.Perms.WRITE | ZooDefs.Perms.CREATE | ZooDefs.Perms.DELETE;
    assertThat(model.nodeAcl())
        .containsExactly(
            new ACL(ZooDefs.Perms.ALL, admin),
            new ACL(rwcd, writer),
            new ACL(rwcd, both),
            new ACL(ZooDefs.Perms.READ, reader));
    assertThat(model.secretAcl())
        .containsExactly(
            new ACL(ZooDefs.Perms.ALL, admin),
            new ACL(rwcd & ~ZooDefs.Perms.READ, writer),
            new ACL(rwcd, both));
  }

  @Test
  void aModelWithoutAdminIsRefused() {
    assertThatThrownBy(() -> AclModel.builder().reader(AclModel.saslId("r")).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least one admin");
  }

  @Test
  void unknownKeysAndMalformedValuesAreRefusedNamingTheKeyAndTheFile() throws Exception {
    Path typo = file("digest=a:b\nacl.admin=sasl:x\n");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(typo))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "ZooKeeper client file " + typo + ": unknown key acl.admin (known:");
    Path badDigest = file("digest=nopassword\n");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(badDigest))
        .hasMessage("ZooKeeper client file " + badDigest + ": digest must be USER:PASSWORD");
    Path plainPassword = file("acl.admins=digest:alice:alice-secret\n");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(plainPassword))
        .hasMessageContaining("acl.admins: digest id 'digest:alice:...' is not digest:USER:HASH")
        .hasMessageNotContaining("alice-secret");
    Path scheme = file("acl.admins=kerberos:bob\n");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(scheme))
        .hasMessageContaining("unknown scheme 'kerberos'");
    Path noAdmin = file("acl.readers=sasl:bob\n");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(noAdmin))
        .hasMessageContaining("acl.readers is given without acl.admins");
  }

  @Test
  void aMissingFileIsOneLine() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(missing))
        .isInstanceOf(dev.pipekeeper.core.PipekeeperException.class)
        .isNotInstanceOf(InvalidInputException.class)
        .hasMessage("ZooKeeper client file " + missing + " does not exist");
  }

  @Test
  void aFileWithOnlyCredentialsHasNoModel() throws Exception {
    ZooKeeperClientFile loaded = ZooKeeperClientFile.load(file("digest=bob:pw\n"));
    assertThat(loaded.acls()).isEmpty();
    assertThat(List.of(loaded.digestUser().orElseThrow())).containsExactly("bob");
  }

  @Test
  void transportKeysGiveTheConnectionsTlsAndSasl() throws Exception {
    ZooKeeperClientFile loaded =
        ZooKeeperClientFile.load(
            file(
                "zookeeper.client.secure=true\n"
                    + "zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty\n"
                    + "zookeeper.ssl.trustStore.location=/etc/pk/truststore.p12\n"
                    + "zookeeper.ssl.trustStore.type=PKCS12\n"
                    + "zookeeper.ssl.trustStore.passwordPath=/etc/pk/store.password\n"
                    + "zookeeper.ssl.hostnameVerification=true\n"
                    + "zookeeper.fips-mode=false\n"
                    + "pipekeeper.sasl.username=writer\n"
                    + "pipekeeper.sasl.passwordFile=/etc/pk/writer.password\n"));
    ZooKeeperSecurity security = loaded.security().orElseThrow();
    assertThat(security.tls()).isTrue();
    assertThat(security.truststore()).contains(Path.of("/etc/pk/truststore.p12"));
    assertThat(security.truststorePasswordFile()).contains(Path.of("/etc/pk/store.password"));
    assertThat(security.hostnameVerification()).isTrue();
    assertThat(security.keystore()).isEmpty();
    assertThat(security.saslUser()).contains("writer");
    assertThat(security.saslPasswordFile()).contains(Path.of("/etc/pk/writer.password"));
    assertThat(loaded.acls()).isEmpty();
    assertThat(loaded.digestCredentials()).isEmpty();

    ZooKeeperSecurity saslOnly =
        ZooKeeperClientFile.load(
                file("pipekeeper.sasl.username=w\npipekeeper.sasl.passwordFile=/etc/pk/w\n"))
            .security()
            .orElseThrow();
    assertThat(saslOnly.tls()).isFalse();
    assertThat(ZooKeeperClientFile.load(file("digest=a:b\n")).security()).isEmpty();
  }

  @Test
  void contradictoryTransportKeysAreRefusedNamingTheKey() throws Exception {
    assertThatThrownBy(() -> ZooKeeperClientFile.load(file("zookeeper.client.secure=true\n")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "zookeeper.client.secure=true needs zookeeper.ssl.trustStore.location");
    assertThatThrownBy(
            () -> ZooKeeperClientFile.load(file("zookeeper.ssl.trustStore.location=/t.p12\n")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "zookeeper.ssl.trustStore.location is given but zookeeper.client.secure is not true");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(file("zookeeper.client.secure=yes\n")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("zookeeper.client.secure must be true or false, not 'yes'");
    assertThatThrownBy(
            () ->
                ZooKeeperClientFile.load(
                    file("zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNIO\n")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("may only be org.apache.zookeeper.ClientCnxnSocketNetty");
    assertThatThrownBy(
            () ->
                ZooKeeperClientFile.load(
                    file(
                        "zookeeper.client.secure=true\n"
                            + "zookeeper.ssl.trustStore.location=/t.jks\n"
                            + "zookeeper.ssl.trustStore.type=PKCS12\n")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "zookeeper.ssl.trustStore.type is PKCS12 but the store /t.jks is read as JKS");
    assertThatThrownBy(() -> ZooKeeperClientFile.load(file("pipekeeper.sasl.username=w\n")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "SASL needs both pipekeeper.sasl.username and pipekeeper.sasl.passwordFile");
  }
}
