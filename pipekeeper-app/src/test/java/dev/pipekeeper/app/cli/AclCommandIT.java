package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.security.AclModel;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipekeeper acl show} and {@code acl apply}, with credentials from {@code --zk-config}. */
@ExtendWith(EmbeddedClusterExtension.class)
class AclCommandIT {
  @TempDir Path dir;

  private Path adminFile() throws Exception {
    Path file = dir.resolve("admin.properties");
    Files.writeString(
        file,
        "digest=admin:admin-pw\n"
            + "acl.admins="
            + AclModel.format(AclModel.digestId("admin", "admin-pw"))
            + "\nacl.readers="
            + AclModel.format(AclModel.digestId("reader", "reader-pw"))
            + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void showWarnsOnAnOpenTreeApplyBringsItToTheModelOnceAndShowIsThenClean(TestCluster cluster)
      throws Exception {
    try (Pipekeeper open =
        Pipekeeper.builder().zookeeper(cluster.zkConnect()).cluster(cluster.cluster()).build()) {
      open.config().set(Scope.global(), "plain", IntNode.valueOf(1), ChangeOptions.by("o"));
    }
    CliRun before = CliRun.against(cluster, "acl", "show");
    assertThat(before.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(before.out())
        .contains("world:anyone=cdrwa")
        .contains("WARNING / is world-writable (world:anyone=cdrwa)");

    String config = adminFile().toString();
    CliRun first = CliRun.against(cluster, "acl", "apply", "--zk-config", config);
    assertThat(first.exitCode).as(first.err()).isEqualTo(ExitCodes.OK);
    assertThat(first.out()).startsWith("Set the model's ACL on ");
    assertThat(first.out() + first.err()).doesNotContain("admin-pw");
    CliRun second = CliRun.against(cluster, "acl", "apply", "--zk-config", config);
    assertThat(second.out()).startsWith("Nothing to change: all ");

    CliRun after = CliRun.against(cluster, "acl", "show", "--json", "--zk-config", config);
    assertThat(after.exitCode).as(after.err()).isEqualTo(ExitCodes.OK);
    JsonNode report = new ObjectMapper().readTree(after.out());
    assertThat(report.get("warnings")).isEmpty();
    assertThat(report.get("nodes").get(0).get("path").asText()).isEqualTo("/");
    assertThat(report.get("nodes").get(0).get("acl").get(0).asText())
        .startsWith("digest:admin:")
        .endsWith("=cdrwa");

    // without credentials, the tree is closed now: one line, exit 1
    CliRun closed = CliRun.against(cluster, "config", "get", "plain");
    assertThat(closed.exitCode).as(closed.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(closed.err().strip().lines()).hasSize(1);
    assertThat(closed.err()).contains("not authorized");
  }

  @Test
  void aMissingZkConfigFileIsOneLineAndExitOne(TestCluster cluster) {
    Path missing = dir.resolve("nope.properties");
    CliRun run = CliRun.against(cluster, "acl", "show", "--zk-config", missing.toString());
    assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err().strip())
        .isEqualTo("pipekeeper: ZooKeeper client file " + missing + " does not exist");
    CliRun fromEnvironment =
        CliRun.runWith(
            java.util.Map.of("PIPEKEEPER_ZK_CONFIG", missing.toString()),
            "members",
            "--zk",
            cluster.zkConnect(),
            "--cluster",
            cluster.cluster());
    assertThat(fromEnvironment.exitCode).isEqualTo(ExitCodes.FAILED);
    assertThat(fromEnvironment.err().strip())
        .isEqualTo("pipekeeper: ZooKeeper client file " + missing + " does not exist");
  }

  @Test
  void aZkConfigFileWithAnUnknownKeyIsRefusedNamingIt(TestCluster cluster) throws Exception {
    Path file = dir.resolve("typo.properties");
    Files.writeString(file, "digset=admin:admin-pw\n");
    CliRun run = CliRun.against(cluster, "members", "--zk-config", file.toString());
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().strip())
        .startsWith("pipekeeper: ZooKeeper client file " + file + ": unknown key digset")
        .doesNotContain("admin-pw");
  }
}
