package dev.pipekeeper.console;

import static dev.pipekeeper.console.ConsoleWritesIT.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Connection;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.security.AclModel;
import dev.pipekeeper.core.security.ZooKeeperClientFile;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console on a ZooKeeper that takes TLS only and requires SASL, with an ACL model: it writes
 * with its own connection's credentials (the writer's client file), only for tokens of the writer
 * role, each change recorded under the operator's name and carrying the model's ACL.
 */
class ConsoleSecuredIT {
  private static final Duration CONNECT = TestTimeouts.scaled(Duration.ofSeconds(10));
  private static final String ALICE = ConsoleWritesIT.ALICE;
  private static final String CAROL = "carol-token-0123456789";

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

  /** A connection as {@code user}, from the client file {@code --zk-config} would name. */
  private static Pipekeeper connectAs(String user, String cluster) {
    return ZooKeeperClientFile.load(zk.clientConfigFile(user))
        .applyTo(
            Pipekeeper.builder()
                .zookeeper(zk.connectString())
                .cluster(cluster)
                .identity("console-" + user)
                .connectionTimeout(CONNECT))
        .build();
  }

  private static Path tokens(Path in) throws Exception {
    Path file = in.resolve("operators");
    Files.writeString(file, "alice=" + ALICE + "\ncarol:reader=" + CAROL + "\n");
    return file;
  }

  @Test
  void aWriterTokenChangesConfigWithTheConsolesCredentialsAndAReaderTokenIsRefused(
      @TempDir Path tmp) throws Exception {
    String cluster = "secured-console";
    AclModel model =
        ZooKeeperClientFile.load(zk.clientConfigFile(EmbeddedSecurity.WRITER)).acls().orElseThrow();
    try (Pipekeeper admin = connectAs(EmbeddedSecurity.ADMIN, cluster)) {
      // the admin makes the cluster's tree under the model; the console runs as writer
      admin.config().set(Scope.global(), "batch.size", 1, ChangeOptions.by("setup"));
      try (Pipekeeper writer = connectAs(EmbeddedSecurity.WRITER, cluster);
          Console console = Console.builder(writer).operatorTokens(tokens(tmp)).build().start()) {
        String keys = "/api/v1/clusters/" + cluster + "/config/keys/";
        assertThat(ConsoleIT.ok(console, "/api/v1/health").path("writable").asBoolean()).isTrue();

        ConsoleWritesIT.Answer set =
            as(console, ALICE, "PUT", keys + "batch.size", "{\"value\": 500}");
        assertThat(set.status()).as(set.json().toString()).isEqualTo(200);
        assertThat(set.json().path("who").asText()).isEqualTo("alice");
        ConsoleWritesIT.Answer made =
            as(console, ALICE, "PUT", keys + "fresh.key", "{\"value\": \"new\"}");
        assertThat(made.status()).as(made.json().toString()).isEqualTo(200);
        List<HistoryEntry> history = admin.config().history(Scope.global(), "batch.size");
        assertThat(history.get(history.size() - 1).who()).isEqualTo("alice");
        assertThat(history.get(history.size() - 1).comment()).isEqualTo("console");

        ConsoleWritesIT.Answer refused =
            as(console, CAROL, "PUT", keys + "batch.size", "{\"value\": 7}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.error()).isEqualTo("forbidden");
        assertThat(refused.json().path("message").asText())
            .contains("carol", "reader role", "writer role")
            .doesNotContain(CAROL);
        assertThat(admin.config().get(Scope.global(), "batch.size").orElseThrow().value().asInt())
            .isEqualTo(500);

        // what the console wrote (a node it created, its history) carries the model's ACL
        CuratorFramework raw = Connection.of(admin).session().client();
        assertThat(raw.getACL().forPath(ZkLayout.configKey("global", "fresh.key")))
            .containsExactlyInAnyOrderElementsOf(model.nodeAcl());
        String freshHistory = ZkLayout.configHistory("global", "fresh.key");
        for (String entry : raw.getChildren().forPath(freshHistory)) {
          assertThat(raw.getACL().forPath(freshHistory + "/" + entry))
              .containsExactlyInAnyOrderElementsOf(model.nodeAcl());
        }
      }

      // a console whose own credentials are a reader's cannot write, whatever the token
      try (Pipekeeper reader = connectAs(EmbeddedSecurity.READER, cluster);
          Console console = Console.builder(reader).operatorTokens(tokens(tmp)).build().start()) {
        ConsoleWritesIT.Answer noRight =
            as(
                console,
                ALICE,
                "PUT",
                "/api/v1/clusters/" + cluster + "/config/keys/batch.size",
                "{\"value\": 9}");
        assertThat(noRight.status()).as(noRight.json().toString()).isEqualTo(403);
        assertThat(noRight.error()).isEqualTo("forbidden");
        assertThat(admin.config().get(Scope.global(), "batch.size").orElseThrow().value().asInt())
            .isEqualTo(500);
      }
    }
  }
}
