package dev.pipekeeper.connect.source;

import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.awaitState;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.bytes;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.client;
import static dev.pipekeeper.connect.source.ZooKeeperSourceConnectorIT.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin archive {@code ./mvnw package} builds ({@code target/pipekeeper-connect-VERSION-
 * plugin.zip}), unpacked into a folder and loaded from {@code plugin.path} by a stock standalone
 * worker ({@code org.apache.kafka.connect.cli.ConnectStandalone}'s main) in a JVM of its own whose
 * class path has Connect and nothing of Pipekeeper, Curator or ZooKeeper: the connector is listed
 * with the build's version, and it runs (the topic ends as ZooKeeper is).
 */
@ExtendWith(EmbeddedClusterExtension.class)
class PluginArchiveIT {
  private static final Duration START = TestTimeouts.scaled(Duration.ofSeconds(90));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aStockWorkerLoadsTheArchiveFromPluginPathAndRunsTheConnector(TestCluster cluster)
      throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    unzip(archive(), plugins);
    int port = freePort();
    Path worker =
        write(
            "worker.properties",
            Map.of(
                "bootstrap.servers", cluster.bootstrapServers(),
                "key.converter", "org.apache.kafka.connect.storage.StringConverter",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable", "false",
                "offset.storage.file.filename", dir.resolve("offsets").toString(),
                "offset.flush.interval.ms", "500",
                "listeners", "http://127.0.0.1:" + port,
                "plugin.path", plugins.toString(),
                "plugin.discovery", "service_load"));
    String root = cluster.chroot() + "/tree";
    String topic = cluster.topic("changes");
    Map<String, String> connector =
        new java.util.HashMap<>(config(cluster.zkConnect(), root, topic));
    connector.put("name", "zk");
    Path connectorFile = write("zk.properties", connector);

    try (CuratorFramework zk = client(cluster.zkConnect());
        ChildJvm stock =
            ChildJvm.start(
                "org.apache.kafka.connect.cli.ConnectStandalone",
                workerClassPath(),
                List.of(worker.toString(), connectorFile.toString()),
                List.of(
                    "-Xmx384m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=" + logbackConfig()))) {
      zk.create().creatingParentsIfNeeded().forPath(root + "/a", bytes("a0"));
      URI rest = URI.create("http://127.0.0.1:" + port);
      try {
        await("the connector running in the stock worker")
            .atMost(START)
            .pollInterval(Duration.ofMillis(250))
            .failFast("the stock worker exited", () -> !stock.isAlive())
            .until(() -> running(rest.resolve("/connectors/zk/status")));
      } catch (RuntimeException e) {
        List<String> lines = stock.lines();
        lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
        throw e;
      }
      JsonNode listed = get(rest.resolve("/connector-plugins"));
      assertThat(listed)
          .filteredOn(
              p -> p.path("class").asText().equals(ZooKeeperSourceConnector.class.getName()))
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.path("type").asText()).isEqualTo("source");
                assertThat(p.path("version").asText())
                    .isEqualTo(new ZooKeeperSourceConnector().version());
              });
      zk.create().forPath(root + "/b", bytes("b0"));
      zk.setData().forPath(root + "/a", bytes("a1"));
      awaitState(cluster, zk, root, topic).checkInvariants();
    }
  }

  /** The archive the package phase built. */
  private static Path archive() throws IOException {
    try (DirectoryStream<Path> found =
        Files.newDirectoryStream(Path.of("target"), "pipekeeper-connect-*-plugin.zip")) {
      for (Path path : found) {
        return path;
      }
    }
    throw new IllegalStateException(
        "no target/pipekeeper-connect-*-plugin.zip: run ./mvnw package (verify runs it first)");
  }

  /**
   * This JVM's class path without Pipekeeper's modules, Curator and ZooKeeper: what a stock worker
   * has. The connector can only come from {@code plugin.path}.
   */
  private static String workerClassPath() {
    List<String> kept = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      boolean ours =
          Arrays.stream(Path.of(entry).toAbsolutePath().toString().split("/"))
              .anyMatch(segment -> segment.startsWith("pipekeeper-"));
      boolean zooKeeper =
          entry.contains("/org/apache/curator/") || entry.contains("/org/apache/zookeeper/");
      if (!ours && !zooKeeper) {
        kept.add(entry);
      }
    }
    assertThat(kept).noneMatch(e -> e.contains("curator") || e.contains("pipekeeper-"));
    return String.join(File.pathSeparator, kept);
  }

  private static String logbackConfig() {
    return Path.of("src", "test", "resources", "logback-test.xml").toAbsolutePath().toString();
  }

  private static void unzip(Path zip, Path into) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        Path target = into.resolve(entry.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IllegalStateException(
              "an archive entry outside its folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(new NonClosing(in), target);
        }
      }
    }
  }

  private Path write(String name, Map<String, String> properties) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(
        file,
        properties.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n", "", "\n")));
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static boolean running(URI status) {
    try {
      JsonNode node = get(status);
      return node.path("connector").path("state").asText().equals("RUNNING")
          && node.path("tasks").size() == 1
          && node.path("tasks").get(0).path("state").asText().equals("RUNNING");
    } catch (UncheckedIOException e) {
      return false; // not listening yet
    }
  }

  private static JsonNode get(URI uri) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An entry's stream that {@link Files#copy} may close without closing the archive. */
  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
