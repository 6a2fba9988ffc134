package dev.pipekeeper.embedded;

import dev.pipekeeper.embedded.internal.ChildMain;
import dev.pipekeeper.embedded.internal.ChildServer;
import dev.pipekeeper.embedded.internal.Dirs;
import dev.pipekeeper.embedded.internal.FreePorts;
import dev.pipekeeper.embedded.internal.KafkaBrokerRunner;
import dev.pipekeeper.embedded.internal.QuietLogging;
import dev.pipekeeper.embedded.internal.SecureKafkaFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka cluster in KRaft mode (one combined broker and controller), from Apache
 * Kafka's own server classes, on free loopback ports: for the demo, local runs and tests. Storage
 * is formatted by {@link #start()}; no tarball, script or container is involved.
 *
 * <p>Defaults suit one small node: internal topics with replication factor 1 and few partitions, no
 * rebalance delay, and a small log cleaner buffer (Kafka's default takes 128 MiB of heap).
 * Thread-safe; {@link #close()} is safe to call twice and deletes a data folder it created.
 *
 * <p>A {@linkplain Builder#secure(EmbeddedSecurity) secured} node listens with SASL_SSL only
 * (SCRAM-SHA-512; the credentials of {@link EmbeddedSecurity#USERS} are made when the storage is
 * formatted), authorizes with the StandardAuthorizer ({@code admin} is a super user, everyone else
 * needs ACLs) and, with {@link Builder#mutualTls(boolean)}, also takes client certificates on a
 * second, SSL listener. {@link #clientConfigFile(String)} gives each user's client settings.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private final Builder builder;
  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final int mtlsPort;
  private final String clusterId;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private KafkaBrokerRunner inProcess;
  private ChildServer child;

  private EmbeddedKafka(Builder builder) {
    this.builder = builder;
    this.ownsDataDir = builder.dataDir == null;
    this.dataDir =
        ownsDataDir ? Dirs.createTemp("pipekeeper-kafka-") : Dirs.create(builder.dataDir);
    int[] ports = FreePorts.allocate(3);
    this.brokerPort = builder.brokerPort > 0 ? builder.brokerPort : ports[0];
    this.controllerPort = ports[1];
    this.mtlsPort = builder.security != null && builder.mutualTls ? ports[2] : 0;
    // A data folder kept from an earlier run holds formatted storage: the broker runs with the id
    // stored there, so that is the id to report.
    this.clusterId =
        KafkaBrokerRunner.storedClusterId(logDir()).orElseGet(() -> Uuid.randomUuid().toString());
  }

  private Path logDir() {
    String configured = builder.overrides.get("log.dirs");
    return configured != null ? Path.of(configured) : dataDir.resolve("logs");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the storage, starts the node and returns once it answers a client's metadata request.
   *
   * @throws EmbeddedServerException if it does not start within the start timeout
   * @throws IllegalStateException if started before or closed
   */
  public synchronized EmbeddedKafka start() {
    if (!state.compareAndSet(State.NEW, State.RUNNING)) {
      throw new IllegalStateException("Cannot be started more than once");
    }
    if (builder.quiet) {
      QuietLogging.apply();
    }
    if (!FreePorts.isFree(brokerPort)) {
      state.set(State.CLOSED);
      deleteOwnedDataDir(); // close() does nothing now: the state says closed
      throw new EmbeddedServerException(
          "port " + brokerPort + " is already in use, so Kafka cannot listen on it");
    }
    try {
      Properties config = brokerConfig();
      List<String> scram = List.of();
      if (builder.security != null) {
        scram = SecureKafkaFiles.scramCredentials(builder.security);
        writeClientFiles();
      }
      if (builder.launch == Launch.IN_PROCESS) {
        inProcess = new KafkaBrokerRunner(config, clusterId, scram);
        inProcess.start();
      } else {
        Properties all = new Properties();
        all.putAll(config);
        all.setProperty(ChildMain.KIND, "kafka");
        all.setProperty(ChildMain.CLUSTER_ID, clusterId);
        all.setProperty(ChildMain.ADDRESS, bootstrapServers());
        all.setProperty(ChildMain.SCRAM, String.join("\n", scram));
        child =
            ChildServer.start(
                all, dataDir.resolve("process"), builder.childJvmOptions, builder.startTimeout);
      }
      awaitReady();
    } catch (RuntimeException e) {
      close();
      throw e instanceof EmbeddedServerException
          ? e
          : new EmbeddedServerException("Kafka did not start: " + e.getMessage(), e);
    }
    return this;
  }

  /** {@code 127.0.0.1:port} of the broker listener. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public int brokerPort() {
    return brokerPort;
  }

  /** The security material of a {@linkplain Builder#secure secured} node. */
  public Optional<EmbeddedSecurity> security() {
    return Optional.ofNullable(builder.security);
  }

  /**
   * {@code 127.0.0.1:port} of the mutual-TLS listener of a secured node.
   *
   * @throws IllegalStateException if the node has none ({@link Builder#mutualTls(boolean)})
   */
  public String mutualTlsBootstrapServers() {
    if (mtlsPort == 0) {
      throw new IllegalStateException("the node has no mutual-TLS listener");
    }
    return "127.0.0.1:" + mtlsPort;
  }

  /**
   * {@code user}'s Kafka client settings on a secured node (SASL_SSL, SCRAM-SHA-512, the CA's
   * truststore), with {@code bootstrap.servers}: what {@link #clientConfigFile(String)} holds.
   *
   * @throws IllegalStateException if the node is not secured
   */
  public Map<String, Object> clientProperties(String user) {
    return new LinkedHashMap<>(SecureKafkaFiles.saslClient(secured(), bootstrapServers(), user));
  }

  /** {@code user}'s client settings on the mutual-TLS listener (its certificate names it). */
  public Map<String, Object> mutualTlsClientProperties(String user) {
    return new LinkedHashMap<>(
        SecureKafkaFiles.mtlsClient(secured(), mutualTlsBootstrapServers(), user));
  }

  /**
   * The Kafka client properties file of {@code user} ({@link #clientProperties(String)}), written
   * by {@link #start()} into {@link EmbeddedSecurity#dir()}, 0600; {@code
   * kafka-USER-mtls.properties} beside it holds the mutual-TLS settings when the node has that
   * listener.
   */
  public Path clientConfigFile(String user) {
    return secured().dir().resolve("kafka-" + user + ".properties");
  }

  private EmbeddedSecurity secured() {
    if (builder.security == null) {
      throw new IllegalStateException("the node is not secured");
    }
    return builder.security;
  }

  private void writeClientFiles() {
    for (String user : EmbeddedSecurity.USERS) {
      SecureKafkaFiles.write(
          clientConfigFile(user),
          "Kafka client settings of " + user + " (pipekeeper-embedded, throwaway CA)",
          SecureKafkaFiles.saslClient(builder.security, bootstrapServers(), user));
      if (mtlsPort > 0) {
        SecureKafkaFiles.write(
            builder.security.dir().resolve("kafka-" + user + "-mtls.properties"),
            "Kafka mutual-TLS client settings of " + user + " (pipekeeper-embedded)",
            SecureKafkaFiles.mtlsClient(builder.security, mutualTlsBootstrapServers(), user));
      }
    }
  }

  public int controllerPort() {
    return controllerPort;
  }

  /**
   * The id the storage was formatted with, as Admin's {@code describeCluster} reports it: a new one
   * for a new data folder, the stored one for a data folder kept from an earlier run.
   */
  public String clusterId() {
    return clusterId;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The child process of a node started with {@link Launch#CHILD_PROCESS}, while running. */
  public synchronized Optional<ChildProcess> childProcess() {
    return Optional.ofNullable(child);
  }

  /** Stops the node and deletes the data folder if it was a temporary one. */
  @Override
  public synchronized void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    if (inProcess != null) {
      inProcess.close();
      inProcess = null;
    }
    if (child != null) {
      child.stop(Duration.ofSeconds(60));
      child = null;
    }
    deleteOwnedDataDir();
  }

  private void deleteOwnedDataDir() {
    if (ownsDataDir) {
      Dirs.deleteRecursively(dataDir);
    }
  }

  private void awaitReady() {
    Map<String, Object> adminConfig = new LinkedHashMap<>();
    if (builder.security != null) {
      adminConfig.putAll(clientProperties(EmbeddedSecurity.ADMIN));
    }
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "pipekeeper-embedded-probe");
    long timeoutMs = builder.startTimeout.toMillis();
    adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 10_000));
    try (Admin admin = Admin.create(adminConfig)) {
      int brokers = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
      if (brokers < 1) {
        throw new EmbeddedServerException("Kafka started but reports no broker");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted while waiting for Kafka", e);
    } catch (Exception e) {
      throw new EmbeddedServerException(
          "Kafka at " + bootstrapServers() + " was not ready: " + e.getMessage(), e);
    }
  }

  private Properties brokerConfig() {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + brokerPort
            + ","
            + KafkaBrokerRunner.CONTROLLER_LISTENER
            + "://127.0.0.1:"
            + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.setProperty("controller.listener.names", KafkaBrokerRunner.CONTROLLER_LISTENER);
    p.setProperty(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT," + KafkaBrokerRunner.CONTROLLER_LISTENER + ":PLAINTEXT");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("log.dirs", logDir().toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("default.replication.factor", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "5");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "5");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    p.setProperty("background.threads", "2");
    p.setProperty("num.recovery.threads.per.data.dir", "1");
    p.setProperty("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    if (builder.security != null) {
      SecureKafkaFiles.brokerConfig(builder.security, brokerPort, controllerPort, mtlsPort)
          .forEach(p::setProperty);
    }
    builder.overrides.forEach(p::setProperty);
    return p;
  }

  /** Settings of an {@link EmbeddedKafka}; every one has a default. */
  public static final class Builder {
    private Path dataDir;
    private int brokerPort;
    private Launch launch = Launch.IN_PROCESS;
    private boolean quiet = true;
    private Duration startTimeout = Duration.ofSeconds(90);
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private List<String> childJvmOptions =
        List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private EmbeddedSecurity security;
    private boolean mutualTls;

    private Builder() {}

    /**
     * Secures the node with {@code security}: a SASL_SSL listener only (SCRAM-SHA-512 credentials
     * of {@link EmbeddedSecurity#USERS}, made at format time), the StandardAuthorizer with {@code
     * admin} as super user. Runs in this JVM as well as in a child: Kafka keeps these settings per
     * broker.
     */
    public Builder secure(EmbeddedSecurity security) {
      this.security = java.util.Objects.requireNonNull(security);
      return this;
    }

    /**
     * Whether a secured node also has an SSL listener that requires a client certificate, whose
     * {@code CN} is the principal (default false).
     */
    public Builder mutualTls(boolean mutualTls) {
      this.mutualTls = mutualTls;
      return this;
    }

    /** The broker's client port; 0, the default, takes a free port. */
    public Builder brokerPort(int brokerPort) {
      if (brokerPort < 0 || brokerPort > 65535) {
        throw new IllegalArgumentException("port " + brokerPort + " is outside 0 to 65535");
      }
      this.brokerPort = brokerPort;
      return this;
    }

    /** Where data is kept; by default a temporary folder deleted at close. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder launch(Launch launch) {
      this.launch = launch;
      return this;
    }

    /**
     * Whether the broker's own INFO logging is turned down to WARN (default true; Logback only).
     */
    public Builder quiet(boolean quiet) {
      this.quiet = quiet;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** A broker setting ({@code server.properties} key) that replaces the default. */
    public Builder brokerProperty(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    /** JVM options of a child process (defaults suit a small test broker). */
    public Builder childJvmOptions(List<String> options) {
      this.childJvmOptions = List.copyOf(options);
      return this;
    }

    public EmbeddedKafka build() {
      return new EmbeddedKafka(this);
    }
  }
}
