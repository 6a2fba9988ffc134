package dev.pipekeeper.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.NotAuthorizedException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigListing;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ACL model on a real ZooKeeper with digest credentials: what each role may do, that a secret's
 * value and history are closed to readers and unauthenticated clients, and that connections with
 * different credentials in one JVM each keep their own rights.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class AclModelIT {
  static final AclModel MODEL =
      AclModel.builder()
          .admin(AclModel.digestId("admin", "admin-pw"))
          .writer(AclModel.digestId("writer", "writer-pw"))
          .writer(AclModel.digestId("member", "member-pw"))
          .reader(AclModel.digestId("reader", "reader-pw"))
          .secretReader(AclModel.digestId("member", "member-pw"))
          .build();

  static Pipekeeper connect(TestCluster cluster, String user) {
    return Pipekeeper.builder()
        .zookeeper(cluster.zkConnect())
        .cluster(cluster.cluster())
        .identity(user)
        .authorization("digest", (user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8))
        .acls(MODEL)
        .build();
  }

  static ZooKeeper unauthenticated(TestCluster cluster) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk =
        new ZooKeeper(
            cluster.zkConnect(),
            10_000,
            event -> {
              if (event.getState()
                  == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            });
    assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
    return zk;
  }

  @Test
  void eachRoleGetsItsRightsAndASecretOnlyAdminsAndSecretReadersRead(TestCluster cluster)
      throws Exception {
    Scope global = Scope.global();
    String root = ZkLayout.root(cluster.cluster());
    try (Pipekeeper admin = connect(cluster, "admin");
        Pipekeeper writer = connect(cluster, "writer");
        Pipekeeper reader = connect(cluster, "reader");
        Pipekeeper member = connect(cluster, "member")) {
      admin.config().setSchema(global, "password", Json.readTree(SECRET_SCHEMA));
      admin.config().set(global, "plain", IntNode.valueOf(1), ChangeOptions.by("admin"));

      // the writer runs the primitives
      try (Member joined = writer.membership().join("g", MemberInfo.defaults())) {
        assertThat(joined).isNotNull();
      }
      var leadership = writer.leadership("leader").start();
      assertThat(leadership.awaitLease(Duration.ofSeconds(10))).isPresent();
      leadership.close();
      try (LockHandle lock = writer.locks().mutex("m").acquire(Duration.ofSeconds(10))) {
        assertThat(lock).isNotNull();
      }
      writer.workUnits("g").put(WorkUnit.of("u1"));
      writer.config().set(global, "plain", IntNode.valueOf(2), ChangeOptions.by("writer"));
      // a writer sets a secret it may not read, twice (the second over a value it cannot read)
      writer.config().set(global, "password", TextNode.valueOf("s3cret"), ChangeOptions.by("w"));
      writer.config().set(global, "password", TextNode.valueOf("s3cret2"), ChangeOptions.by("w"));
      assertThatThrownBy(() -> writer.config().get(global, "password"))
          .isInstanceOf(NotAuthorizedException.class)
          .hasMessageContaining("/config/global/password");

      // the reader reads, writes nothing
      assertThat(reader.config().get(global, "plain").orElseThrow().value())
          .isEqualTo(IntNode.valueOf(2));
      assertThatThrownBy(
              () -> reader.config().set(global, "plain", IntNode.valueOf(3), ChangeOptions.by("r")))
          .isInstanceOf(NotAuthorizedException.class);
      assertThatThrownBy(() -> reader.membership().join("g", MemberInfo.defaults()))
          .isInstanceOf(NotAuthorizedException.class);
      assertThatThrownBy(() -> reader.workUnits("g").put(WorkUnit.of("u2")))
          .isInstanceOf(NotAuthorizedException.class);
      assertThat(admin.config().get(global, "plain").orElseThrow().value())
          .isEqualTo(IntNode.valueOf(2));
      assertThat(admin.workUnits("g").list()).extracting(WorkUnit::name).containsExactly("u1");

      // the secret: NoAuth for the reader (value and history), a listing reports it
      assertThatThrownBy(() -> reader.config().get(global, "password"))
          .isInstanceOf(NotAuthorizedException.class)
          .hasMessageContaining("/config/global/password");
      assertThatThrownBy(() -> reader.config().history(global, "password"))
          .isInstanceOf(NotAuthorizedException.class);
      ConfigListing listing = reader.config().listing(global);
      assertThat(listing.entries()).extracting(e -> e.key()).contains("plain");
      assertThat(listing.skipped())
          .containsExactly(
              new ConfigListing.Skipped(
                  "password", "not readable with this connection's credentials"));

      // the secret reader and the admin read it, and its history
      assertThat(member.config().get(global, "password").orElseThrow().value())
          .isEqualTo(TextNode.valueOf("s3cret2"));
      assertThat(member.config().history(global, "password")).hasSize(2);
      assertThat(admin.config().get(global, "password").orElseThrow().value())
          .isEqualTo(TextNode.valueOf("s3cret2"));

      // zkCli-style, without credentials: NoAuth on the value and every history entry
      String value = root + ZkLayout.configKey("global", "password");
      String history = root + ZkLayout.configHistory("global", "password");
      ZooKeeper raw = unauthenticated(cluster);
      try {
        assertThatThrownBy(() -> raw.getData(value, false, null))
            .isInstanceOf(KeeperException.NoAuthException.class);
        // the model has no world reader: even the history's listing is closed
        assertThatThrownBy(() -> raw.getChildren(history, false))
            .isInstanceOf(KeeperException.NoAuthException.class);
        // zkCli's "addauth digest reader:reader-pw": the listing opens, no entry does
        raw.addAuthInfo("digest", "reader:reader-pw".getBytes(StandardCharsets.UTF_8));
        List<String> entries = raw.getChildren(history, false);
        assertThat(entries).hasSize(2);
        for (String entry : entries) {
          assertThatThrownBy(() -> raw.getData(history + "/" + entry, false, null))
              .isInstanceOf(KeeperException.NoAuthException.class);
        }
        assertThatThrownBy(() -> raw.getData(value, false, null))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(
                () -> raw.setData(root + ZkLayout.configKey("global", "plain"), new byte[] {1}, -1))
            .isInstanceOf(KeeperException.NoAuthException.class);
        // the ACLs themselves: the model's (digest hashes show to admins only)
        raw.addAuthInfo("digest", "admin:admin-pw".getBytes(StandardCharsets.UTF_8));
        assertThat(raw.getACL(root + ZkLayout.configKey("global", "plain"), null))
            .containsExactlyInAnyOrderElementsOf(MODEL.nodeAcl());
        assertThat(raw.getACL(value, null)).containsExactlyInAnyOrderElementsOf(MODEL.secretAcl());
        assertThat(raw.getACL(root, null))
            .doesNotContain(new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE));
      } finally {
        raw.close();
      }
    }
  }

  /**
   * A key made secret after values were stored: the schema closes them (in every scope, with their
   * history) before it is stored, which only an admin may do; a writer is refused with nothing
   * written, and a reveal opens them again.
   */
  @Test
  void aKeyMadeSecretAfterItsValuesClosesThemAtOnceAndOnlyAnAdminMayDoIt(TestCluster cluster)
      throws Exception {
    Scope global = Scope.global();
    Scope pipeline = Scope.pipeline("p");
    String root = ZkLayout.root(cluster.cluster());
    try (Pipekeeper admin = connect(cluster, "admin");
        Pipekeeper writer = connect(cluster, "writer");
        Pipekeeper reader = connect(cluster, "reader");
        Pipekeeper member = connect(cluster, "member")) {
      writer.config().set(global, "token", TextNode.valueOf("t1"), ChangeOptions.by("w"));
      writer.config().set(global, "token", TextNode.valueOf("t2"), ChangeOptions.by("w"));
      writer.config().set(pipeline, "token", TextNode.valueOf("p1"), ChangeOptions.by("w"));
      assertThat(reader.config().get(global, "token").orElseThrow().value())
          .isEqualTo(TextNode.valueOf("t2"));

      assertThatThrownBy(
              () -> writer.config().setSchema(global, "token", Json.readTree(SECRET_SCHEMA)))
          .isInstanceOf(NotAuthorizedException.class)
          .hasMessageContaining("config token cannot be made secret")
          .hasMessageContaining("only admins may change ACLs")
          .hasMessageContaining("nothing was written");
      assertThat(admin.config().schema(global, "token")).isEmpty();
      assertThat(admin.config().isSecret(global, "token")).isFalse();
      assertThat(reader.config().get(pipeline, "token").orElseThrow().value())
          .isEqualTo(TextNode.valueOf("p1"));

      admin.config().setSchema(global, "token", Json.readTree(SECRET_SCHEMA));
      assertThatThrownBy(() -> reader.config().get(global, "token"))
          .isInstanceOf(NotAuthorizedException.class);
      assertThatThrownBy(() -> reader.config().get(pipeline, "token"))
          .isInstanceOf(NotAuthorizedException.class);
      assertThatThrownBy(() -> reader.config().history(global, "token"))
          .isInstanceOf(NotAuthorizedException.class);
      assertThat(member.config().get(pipeline, "token").orElseThrow().value())
          .isEqualTo(TextNode.valueOf("p1"));
      ZooKeeper raw = unauthenticated(cluster);
      try {
        raw.addAuthInfo("digest", "reader:reader-pw".getBytes(StandardCharsets.UTF_8));
        String history = root + ZkLayout.configHistory("global", "token");
        List<String> entries = raw.getChildren(history, false);
        assertThat(entries).hasSize(2);
        for (String entry : entries) {
          assertThatThrownBy(() -> raw.getData(history + "/" + entry, false, null))
              .isInstanceOf(KeeperException.NoAuthException.class);
        }
        assertThatThrownBy(
                () -> raw.getData(root + ZkLayout.configKey("pipeline/p", "token"), false, null))
            .isInstanceOf(KeeperException.NoAuthException.class);
      } finally {
        raw.close();
      }
      admin.config().deleteSchema(global, "token");
      admin.config().reveal(global, "token", ChangeOptions.by("admin"));
      assertThat(reader.config().get(pipeline, "token").orElseThrow().value())
          .isEqualTo(TextNode.valueOf("p1"));
      assertThat(reader.config().history(global, "token")).isNotEmpty();
    }
  }

  @Test
  void applyBringsATreeMadeWithoutCredentialsToTheModelAndASecondRunChangesNothing(
      TestCluster cluster) throws Exception {
    Scope global = Scope.global();
    try (Pipekeeper open =
        Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build()) {
      open.config().setSchema(global, "password", Json.readTree(SECRET_SCHEMA));
      open.config().set(global, "password", TextNode.valueOf("s3cret"), ChangeOptions.by("o"));
      open.config().set(global, "plain", IntNode.valueOf(1), ChangeOptions.by("o"));
      open.workUnits("g").put(WorkUnit.of("u1"));
      AclAudit.Report before = open.acls().show();
      assertThat(before.warnings())
          .contains("/ is world-writable (world:anyone=cdrwa)")
          .anyMatch(w -> w.startsWith("/config/global/password is a secret anyone may read"));
    }
    String value = ZkLayout.root(cluster.cluster()) + ZkLayout.configKey("global", "password");
    try (Pipekeeper admin = connect(cluster, "admin")) {
      AclAudit.Applied first = admin.acls().apply();
      assertThat(first.changed()).contains("/", "/config/global/password").hasSizeGreaterThan(5);
      assertThat(first.unchanged()).isZero();
      AclAudit.Applied second = admin.acls().apply();
      assertThat(second.changed()).isEmpty();
      assertThat(second.unchanged()).isEqualTo(first.changed().size());
      AclAudit.Report after = admin.acls().show();
      assertThat(after.warnings()).isEmpty();
      assertThat(after.nodes())
          .filteredOn(AclAudit.NodeAcl::secret)
          .extracting(AclAudit.NodeAcl::path)
          .contains("/config/global/password")
          .anyMatch(p -> p.startsWith("/config-history/global/password/v-"));
    }
    try (Pipekeeper reader = connect(cluster, "reader")) {
      assertThat(reader.config().get(global, "plain")).isPresent();
      assertThatThrownBy(() -> reader.config().get(global, "password"))
          .isInstanceOf(NotAuthorizedException.class);
    }
    ZooKeeper raw = unauthenticated(cluster);
    try {
      assertThatThrownBy(() -> raw.getData(value, false, null))
          .isInstanceOf(KeeperException.NoAuthException.class);
    } finally {
      raw.close();
    }
  }

  static final String SECRET_SCHEMA = "{\"type\":\"string\",\"writeOnly\":true}";
}
