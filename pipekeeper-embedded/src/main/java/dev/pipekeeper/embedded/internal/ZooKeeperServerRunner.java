package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.EmbeddedServerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * One ZooKeeper server in this JVM, standalone or one peer of a quorum, on ZooKeeper's own {@link
 * ZooKeeperServerEmbedded}.
 */
public final class ZooKeeperServerRunner implements AutoCloseable {
  private final Properties config;
  private ZooKeeperServerEmbedded server;
  private Path configDir;

  /**
   * @param config the server's zoo.cfg properties ({@code dataDir} included)
   * @param baseDir the server's own folder
   * @param myId the server id within a quorum, or 0 for a standalone server
   */
  public ZooKeeperServerRunner(Properties config, Path baseDir, int myId) {
    this.config = config;
    Path dataDir = Dirs.create(Path.of(config.getProperty("dataDir")));
    Dirs.create(baseDir);
    if (myId > 0) {
      try {
        Files.writeString(dataDir.resolve("myid"), Integer.toString(myId), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new EmbeddedServerException("cannot write myid in " + dataDir, e);
      }
    }
  }

  /**
   * Starts the server. A standalone server is serving when this returns; a quorum peer has started
   * but may still be waiting for the other peers.
   */
  public synchronized void start(long timeoutMillis) {
    if (server != null) {
      return;
    }
    // ZooKeeper writes the configuration to a new temporary file in its base folder at every
    // start and never deletes it: that folder is a temporary one of our own, deleted at close,
    // so that no such files pile up in a data folder kept across runs.
    configDir = Dirs.createTemp("pipekeeper-zk-config-");
    try {
      ZooKeeperServerEmbedded created =
          ZooKeeperServerEmbedded.builder()
              .baseDir(configDir)
              .configuration(config)
              .exitHandler(ExitHandler.LOG_ONLY)
              .build();
      created.start(timeoutMillis);
      server = created;
    } catch (Exception e) {
      deleteConfigDir();
      throw new EmbeddedServerException(
          "ZooKeeper server on port " + config.getProperty("clientPort") + " did not start", e);
    }
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
      server = null;
    }
    deleteConfigDir();
  }

  private void deleteConfigDir() {
    if (configDir != null) {
      Dirs.deleteRecursively(configDir);
      configDir = null;
    }
  }
}
