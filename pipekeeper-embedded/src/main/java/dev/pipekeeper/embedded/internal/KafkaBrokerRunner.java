package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.EmbeddedServerException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One combined broker + controller KRaft node in this JVM, from Apache Kafka's own server classes.
 * Its storage is formatted by {@link #start()} on first use, as {@code kafka-storage.sh format}
 * would.
 */
public final class KafkaBrokerRunner implements AutoCloseable {
  public static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String META_PROPERTIES = "meta.properties";

  private final Properties config;
  private final String clusterId;
  private final List<String> scramCredentials;
  private KafkaRaftServer server;

  public KafkaBrokerRunner(Properties config, String clusterId) {
    this(config, clusterId, List.of());
  }

  /**
   * @param scramCredentials SCRAM credentials made when the storage is formatted, as {@code
   *     kafka-storage.sh format --add-scram} takes them ({@code
   *     SCRAM-SHA-512=[name=alice,password=secret]})
   */
  public KafkaBrokerRunner(Properties config, String clusterId, List<String> scramCredentials) {
    this.config = config;
    this.clusterId = clusterId;
    this.scramCredentials = List.copyOf(scramCredentials);
  }

  /**
   * The cluster id of storage formatted earlier in {@code logDir} ({@code meta.properties}), if
   * there is such storage.
   *
   * @throws EmbeddedServerException if {@code meta.properties} is there but cannot be read
   */
  public static Optional<String> storedClusterId(Path logDir) {
    Path meta = logDir.resolve(META_PROPERTIES);
    if (!Files.exists(meta)) {
      return Optional.empty();
    }
    Properties stored = new Properties();
    try (Reader in = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
      stored.load(in);
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot read " + meta + ": " + e.getMessage(), e);
    }
    return Optional.ofNullable(stored.getProperty("cluster.id"));
  }

  public synchronized void start() {
    if (server != null) {
      return;
    }
    KafkaConfig kafkaConfig = KafkaConfig.fromProps(config, false);
    Path logDir = Path.of(config.getProperty("log.dirs"));
    try {
      if (!Files.exists(logDir.resolve(META_PROPERTIES))) {
        Dirs.create(logDir);
        new Formatter()
            .setPrintStream(NullPrintStream.INSTANCE)
            .setNodeId(kafkaConfig.nodeId())
            .setClusterId(clusterId)
            .setDirectories(List.of(logDir.toString()))
            .setMetadataLogDirectory(logDir.toString())
            .setControllerListenerName(CONTROLLER_LISTENER)
            .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
            .setReleaseVersion(MetadataVersion.latestProduction())
            .setScramArguments(scramCredentials)
            .run();
      }
      KafkaRaftServer created = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
      created.startup();
      server = created;
    } catch (Exception e) {
      throw new EmbeddedServerException("Kafka broker did not start: " + e.getMessage(), e);
    }
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }
}
