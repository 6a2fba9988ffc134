package dev.pipekeeper.embedded;

import dev.pipekeeper.embedded.internal.ChildMain;
import dev.pipekeeper.embedded.internal.ChildServer;
import dev.pipekeeper.embedded.internal.Dirs;
import dev.pipekeeper.embedded.internal.FreePorts;
import dev.pipekeeper.embedded.internal.QuietLogging;
import dev.pipekeeper.embedded.internal.SecureZooKeeperFiles;
import dev.pipekeeper.embedded.internal.ZooKeeperServerRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * A real ZooKeeper server, or a quorum of them, on free loopback ports: for the demo, local runs
 * and tests. Servers run in this JVM or, for fault tests, each in a child JVM ({@link
 * Launch#CHILD_PROCESS}) that can be killed or paused.
 *
 * <pre>{@code
 * try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.builder().servers(3).build().start()) {
 *   CuratorFramework client =
 *       CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100));
 *   zk.server(1).stop(); // the quorum keeps serving with two of three
 * }
 * }</pre>
 *
 * <p>Servers answer the four-letter-word commands ({@code srvr}, {@code mntr}, {@code wchs}, ...)
 * on their client port. Session timeouts from 1 s to 60 s are accepted. Thread-safe; {@link
 * #close()} is safe to call twice and deletes a data folder it created itself.
 *
 * <p>A {@linkplain Builder#secure(EmbeddedSecurity) secured} server takes TLS only on its client
 * port (Netty, no plaintext port) and requires SASL DIGEST-MD5 authentication of every session as
 * one of {@link EmbeddedSecurity#USERS}; it runs in a child JVM, because ZooKeeper's server reads
 * its SASL (JAAS) and TLS settings from JVM-wide system properties. {@link #clientConfigFile} gives
 * each user's client settings; with {@link Builder#clientCertificates(boolean)} a client may
 * instead authenticate with its user's certificate ({@link #clientCertificateConfigFile}).
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  /** The key of the SASL user name in a {@linkplain #clientConfigFile client config file}. */
  public static final String SASL_USERNAME = SecureZooKeeperFiles.SASL_USERNAME;

  /** The key of the SASL password's file in a {@linkplain #clientConfigFile client config file}. */
  public static final String SASL_PASSWORD_FILE = SecureZooKeeperFiles.SASL_PASSWORD_FILE;

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private final Builder builder;
  private final Path dataDir;
  private final boolean ownsDataDir;
  private final List<Node> nodes = new ArrayList<>();
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

  private EmbeddedZooKeeper(Builder builder) {
    this.builder = builder;
    this.ownsDataDir = builder.dataDir == null;
    this.dataDir = ownsDataDir ? Dirs.createTemp("pipekeeper-zk-") : Dirs.create(builder.dataDir);
    int[] ports = FreePorts.allocate(builder.servers * (builder.servers > 1 ? 3 : 1));
    for (int i = 0; i < builder.servers; i++) {
      int client = builder.clientPort > 0 ? builder.clientPort + i : ports[i];
      int quorum = builder.servers > 1 ? ports[builder.servers + i] : 0;
      int election = builder.servers > 1 ? ports[2 * builder.servers + i] : 0;
      nodes.add(new Node(i + 1, client, quorum, election));
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The security material of a {@linkplain Builder#secure secured} ensemble. */
  public Optional<EmbeddedSecurity> security() {
    return Optional.ofNullable(builder.security);
  }

  /**
   * The ZooKeeper client properties file of {@code user} on a {@linkplain Builder#secure secured}
   * ensemble, written by {@link #start()} into {@link EmbeddedSecurity#dir()} (0600): ZooKeeper's
   * own {@code zookeeper.*} TLS keys, which {@code ZKClientConfig} reads, with the truststore
   * password given by its file, and {@value #SASL_USERNAME} and {@value #SASL_PASSWORD_FILE} for
   * SASL DIGEST-MD5.
   *
   * @throws IllegalStateException if the ensemble is not secured
   */
  public Path clientConfigFile(String user) {
    if (builder.security == null) {
      throw new IllegalStateException("the ensemble is not secured");
    }
    return SecureZooKeeperFiles.clientConfigFile(builder.security, user);
  }

  /**
   * The ZooKeeper client properties file of {@code user} that authenticates with the user's
   * certificate ({@link EmbeddedSecurity#keystore}, ZooKeeper id {@code x509:CN=user}) instead of
   * SASL, on an ensemble {@linkplain Builder#clientCertificates(boolean) that takes client
   * certificates}; written by {@link #start()} beside {@link #clientConfigFile}.
   *
   * @throws IllegalStateException if the ensemble does not take client certificates
   */
  public Path clientCertificateConfigFile(String user) {
    if (builder.security == null || !builder.clientCertificates) {
      throw new IllegalStateException("the ensemble does not take client certificates");
    }
    return SecureZooKeeperFiles.certificateConfigFile(builder.security, user);
  }

  /**
   * Starts every server and returns once the ensemble serves requests.
   *
   * @throws EmbeddedServerException if a server does not start within the start timeout
   * @throws IllegalStateException if started before or closed
   */
  public EmbeddedZooKeeper start() {
    if (!state.compareAndSet(State.NEW, State.RUNNING)) {
      throw new IllegalStateException("Cannot be started more than once");
    }
    if (builder.quiet) {
      QuietLogging.apply();
    }
    if (builder.security != null) {
      SecureZooKeeperFiles.writeFiles(builder.security, builder.clientCertificates);
    }
    for (Node node : nodes) {
      if (!FreePorts.isFree(node.clientPort)) {
        state.set(State.CLOSED);
        deleteOwnedDataDir(); // close() does nothing now: the state says closed
        throw new EmbeddedServerException(
            "port " + node.clientPort + " is already in use, so ZooKeeper cannot listen on it");
      }
    }
    try {
      // Quorum peers wait for each other, so they start together, each on its own thread.
      ExecutorService starters = Executors.newFixedThreadPool(nodes.size());
      try {
        CompletableFuture.allOf(
                nodes.stream()
                    .map(node -> CompletableFuture.runAsync(node::launch, starters))
                    .toArray(CompletableFuture[]::new))
            .join();
      } finally {
        starters.shutdown();
      }
      for (Node node : nodes) {
        node.awaitServing();
      }
    } catch (RuntimeException e) {
      close();
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof EmbeddedServerException) {
        throw (EmbeddedServerException) cause;
      }
      throw new EmbeddedServerException("ZooKeeper did not start: " + cause.getMessage(), cause);
    }
    return this;
  }

  /** The connect string of all servers, e.g. {@code 127.0.0.1:41231,127.0.0.1:41233}. */
  public String connectString() {
    return nodes.stream().map(Node::clientAddress).collect(Collectors.joining(","));
  }

  public int serverCount() {
    return nodes.size();
  }

  /**
   * One server, by id from 1 to {@link #serverCount()}.
   *
   * @throws IllegalArgumentException for an id out of range
   */
  public ZooKeeperNode server(int id) {
    if (id < 1 || id > nodes.size()) {
      throw new IllegalArgumentException(
          "server id " + id + " is not between 1 and " + nodes.size());
    }
    return nodes.get(id - 1);
  }

  public List<ZooKeeperNode> servers() {
    return List.copyOf(nodes);
  }

  /** The folder the servers keep their data in. */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops every server and deletes the data folder if it was a temporary one. */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    for (Node node : nodes) {
      node.stop();
    }
    deleteOwnedDataDir();
  }

  private void deleteOwnedDataDir() {
    if (ownsDataDir) {
      Dirs.deleteRecursively(dataDir);
    }
  }

  private Properties serverConfig(Node node) {
    Properties p = new Properties();
    p.setProperty("dataDir", dataDir.resolve("server-" + node.id).resolve("data").toString());
    if (builder.security != null) {
      SecureZooKeeperFiles.serverConfig(
              builder.security, node.clientPort, builder.clientCertificates)
          .forEach(p::put);
    } else {
      p.setProperty("clientPort", Integer.toString(node.clientPort));
      p.setProperty("clientPortAddress", "127.0.0.1");
    }
    p.setProperty("tickTime", "500");
    p.setProperty("minSessionTimeout", "1000");
    p.setProperty("maxSessionTimeout", "60000");
    p.setProperty("initLimit", "20");
    p.setProperty("syncLimit", "10");
    p.setProperty("maxClientCnxns", "0");
    p.setProperty("maxCnxns", "0");
    p.setProperty("admin.enableServer", "false");
    p.setProperty("4lw.commands.whitelist", "*");
    p.setProperty("metricsProvider.exportJvmInfo", "false");
    // ZooKeeper keeps these two in static fields: set both every time, or one server's setting
    // leaks into the next server started in this JVM.
    p.setProperty("standaloneEnabled", Boolean.toString(nodes.size() == 1));
    p.setProperty("reconfigEnabled", "false");
    if (nodes.size() > 1) {
      for (Node peer : nodes) {
        p.setProperty(
            "server." + peer.id,
            "127.0.0.1:"
                + peer.quorumPort
                + ":"
                + peer.electionPort
                + ";127.0.0.1:"
                + peer.clientPort);
      }
    }
    return p;
  }

  private final class Node implements ZooKeeperNode {
    final int id;
    final int clientPort;
    final int quorumPort;
    final int electionPort;
    private ZooKeeperServerRunner inProcess;
    private ChildServer child;

    Node(int id, int clientPort, int quorumPort, int electionPort) {
      this.id = id;
      this.clientPort = clientPort;
      this.quorumPort = quorumPort;
      this.electionPort = electionPort;
    }

    @Override
    public int id() {
      return id;
    }

    @Override
    public String clientAddress() {
      return "127.0.0.1:" + clientPort;
    }

    @Override
    public int clientPort() {
      return clientPort;
    }

    @Override
    public synchronized boolean isRunning() {
      return inProcess != null || (child != null && child.isAlive());
    }

    synchronized void launch() {
      if (isRunning()) {
        return;
      }
      Properties config = serverConfig(this);
      Path base = dataDir.resolve("server-" + id);
      int myId = nodes.size() > 1 ? id : 0;
      if (builder.launch == Launch.IN_PROCESS && builder.security == null) {
        ZooKeeperServerRunner runner = new ZooKeeperServerRunner(config, base, myId);
        // A quorum peer's start returns before the quorum forms; awaitServing waits for it.
        runner.start(builder.startTimeout.toMillis());
        inProcess = runner;
      } else {
        Properties all = new Properties();
        all.putAll(config);
        all.setProperty(ChildMain.KIND, "zookeeper");
        all.setProperty(ChildMain.BASE_DIR, base.toString());
        all.setProperty(ChildMain.MY_ID, Integer.toString(myId));
        all.setProperty(ChildMain.ADDRESS, clientAddress());
        List<String> options = new ArrayList<>(builder.childJvmOptions);
        if (builder.security != null) {
          options.addAll(SecureZooKeeperFiles.serverJvmOptions(builder.security));
        }
        child = ChildServer.start(all, base, options, builder.startTimeout);
      }
    }

    void awaitServing() {
      long deadline = System.nanoTime() + builder.startTimeout.toNanos();
      String last = "no answer";
      while (System.nanoTime() < deadline) {
        try {
          String answer =
              builder.security != null
                  ? SecureZooKeeperFiles.fourLetterWord(builder.security, clientPort, "srvr")
                  : FourLetterWordMain.send4LetterWord(
                      "127.0.0.1", clientPort, "srvr", false, 1000);
          if (answer.contains("Mode:")) {
            return;
          }
          last = answer.trim();
        } catch (Exception e) {
          last = e.toString();
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EmbeddedServerException("interrupted while waiting for ZooKeeper", e);
        }
      }
      throw new EmbeddedServerException(
          "ZooKeeper server "
              + id
              + " at "
              + clientAddress()
              + " was not serving within "
              + builder.startTimeout.toMillis()
              + " ms: "
              + last);
    }

    @Override
    public void start() {
      if (state.get() != State.RUNNING) {
        throw new IllegalStateException("the ensemble is not running");
      }
      launch();
      awaitServing();
    }

    @Override
    public synchronized void stop() {
      if (inProcess != null) {
        inProcess.close();
        inProcess = null;
      }
      if (child != null) {
        child.stop(Duration.ofSeconds(30));
        child = null;
      }
    }

    @Override
    public synchronized Optional<ChildProcess> childProcess() {
      return Optional.ofNullable(child);
    }
  }

  /** Settings of an {@link EmbeddedZooKeeper}; every one has a default. */
  public static final class Builder {
    private int servers = 1;
    private int clientPort;
    private Path dataDir;
    private Launch launch = Launch.IN_PROCESS;
    private boolean quiet = true;
    private Duration startTimeout = Duration.ofSeconds(60);
    private List<String> childJvmOptions =
        List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
    private EmbeddedSecurity security;
    private boolean clientCertificates;

    private Builder() {}

    /**
     * Whether a {@linkplain #secure secured} server also takes client certificates of its CA as
     * authentication (default false): a session that presents {@code user}'s certificate ({@link
     * EmbeddedSecurity#keystore}) is the ZooKeeper id {@code x509:CN=user}, with that user's
     * rights; a client without one still authenticates with SASL. {@link
     * EmbeddedZooKeeper#clientCertificateConfigFile} gives each user's file.
     */
    public Builder clientCertificates(boolean clientCertificates) {
      this.clientCertificates = clientCertificates;
      return this;
    }

    /**
     * Secures the server with {@code security}: TLS only on the client port, SASL DIGEST-MD5
     * required of every session, with the users of {@link EmbeddedSecurity#USERS}. A secured server
     * always runs in a child JVM (ZooKeeper's server takes these settings from JVM-wide system
     * properties) and is standalone: {@link #servers(int)} must stay 1.
     */
    public Builder secure(EmbeddedSecurity security) {
      this.security = java.util.Objects.requireNonNull(security);
      return this;
    }

    /** 1 for a standalone server (the default), 3 or 5 for a quorum. */
    public Builder servers(int servers) {
      if (servers < 1 || (servers > 1 && servers % 2 == 0)) {
        throw new IllegalArgumentException("servers must be 1 or an odd number, not " + servers);
      }
      this.servers = servers;
      return this;
    }

    /**
     * The client port of the first server (the others get the next ones); 0, the default, takes
     * free ports.
     */
    public Builder clientPort(int clientPort) {
      if (clientPort < 0 || clientPort > 65535) {
        throw new IllegalArgumentException("port " + clientPort + " is outside 0 to 65535");
      }
      this.clientPort = clientPort;
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
     * Whether the servers' own INFO logging is turned down to WARN (default true; Logback only).
     */
    public Builder quiet(boolean quiet) {
      this.quiet = quiet;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** JVM options of child processes (defaults suit a small test server). */
    public Builder childJvmOptions(List<String> options) {
      this.childJvmOptions = List.copyOf(options);
      return this;
    }

    public EmbeddedZooKeeper build() {
      if (security != null && servers > 1) {
        throw new IllegalStateException(
            "a secured ensemble is a standalone server, not " + servers);
      }
      if (clientCertificates && security == null) {
        throw new IllegalStateException("client certificates need a secured server (secure(...))");
      }
      return new EmbeddedZooKeeper(this);
    }
  }
}
