package dev.pipekeeper.core;

import dev.pipekeeper.core.assignment.Assignments;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.WorkUnits;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.assignment.internal.DefaultAssignments;
import dev.pipekeeper.core.assignment.internal.DefaultGroupWorker;
import dev.pipekeeper.core.assignment.internal.DefaultWorkUnits;
import dev.pipekeeper.core.barriers.Barrier;
import dev.pipekeeper.core.barriers.internal.DefaultBarrier;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.internal.DefaultConfiguration;
import dev.pipekeeper.core.ensemble.PortProbe;
import dev.pipekeeper.core.ensemble.ZkConnectString;
import dev.pipekeeper.core.health.Health;
import dev.pipekeeper.core.health.internal.DefaultHealth;
import dev.pipekeeper.core.internal.Connection;
import dev.pipekeeper.core.internal.ConnectionLog;
import dev.pipekeeper.core.internal.CoreMeters;
import dev.pipekeeper.core.internal.NodeAcls;
import dev.pipekeeper.core.internal.Registry;
import dev.pipekeeper.core.internal.Serial;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.Threads;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.internal.DefaultLeadership;
import dev.pipekeeper.core.leader.internal.RoleRetirements;
import dev.pipekeeper.core.locks.Locks;
import dev.pipekeeper.core.locks.internal.DefaultLocks;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.Membership;
import dev.pipekeeper.core.membership.internal.DefaultMembership;
import dev.pipekeeper.core.monitor.Alerts;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.MonitorBuilder;
import dev.pipekeeper.core.monitor.internal.DefaultAlerts;
import dev.pipekeeper.core.security.internal.AuthWatch;
import dev.pipekeeper.core.security.internal.ZooKeeperTransport;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.client.ZKClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Pipekeeper} connection: one Curator client namespaced to the cluster. */
final class DefaultPipekeeper implements Pipekeeper, Connection {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultPipekeeper.class);

  /** While the connection is down, how often the log says that it still is. */
  private static final Duration STILL_DOWN_EVERY = Duration.ofMinutes(1);

  private final String cluster;
  private final CuratorFramework root;
  private final Session session;
  private final CoreMeters meters;
  private final CoreMeters.SessionCounters sessionCounters;
  private final Serial connectionEvents;
  private final Serial curatorSafeRunner;
  private final ConnectionLog connectionLog;
  private final java.util.concurrent.ScheduledExecutorService connectionWatch;
  private final List<Consumer<ConnectionState>> connectionListeners = new CopyOnWriteArrayList<>();
  private final java.util.Set<AutoCloseable> resources = new java.util.LinkedHashSet<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final DefaultMembership membership;
  private final DefaultLocks locks;
  private final DefaultConfiguration config;
  private final DefaultHealth health;
  private final ZooKeeperTransport transport;
  private final AuthWatch authWatch = new AuthWatch();
  private volatile ConnectionState state;

  DefaultPipekeeper(PipekeeperSettings settings) {
    this.cluster = settings.cluster();
    String identity = settings.identity() != null ? settings.identity() : defaultIdentity();
    Names.check("identity", identity);
    ZkConnectString connectString = ZkConnectString.parse(settings.zookeeper());
    this.transport =
        settings.security() != null ? ZooKeeperTransport.open(settings.security(), cluster) : null;
    if (transport != null) {
      try {
        // Before the client tries: a certificate problem is one line, not a connection that
        // never comes up.
        transport.checkHandshake(connectString.servers(), settings.connectionTimeout());
      } catch (RuntimeException e) {
        transport.close();
        throw e;
      }
    }
    // Curator's own default for this executor is a thread that outlives the client.
    this.curatorSafeRunner = new Serial("pipekeeper-curator-safe");
    this.root =
        curator(settings, settings.zookeeper())
            .runSafeService(curatorSafeRunner.executor("curator safe notification"))
            .ensembleTracker(settings.followEnsembleChanges())
            .namespace(ZkLayout.namespace(cluster))
            .build();
    this.meters = new CoreMeters(settings.metrics(), cluster, identity);
    this.session =
        new Session(
            root,
            identity,
            settings.zookeeper(),
            settings.connectionTimeout(),
            meters,
            nodeAcls(settings));
    // Before the client starts, so that the first CONNECTED is counted too.
    this.sessionCounters =
        meters.session(
            () -> state != null && state.isConnected() ? 1 : 0,
            // The timeout Curator remembers from the handshake: a field, not a ZooKeeper call.
            () -> root.getZookeeperClient().getLastNegotiatedSessionTimeoutMs());
    this.connectionEvents = new Serial("pipekeeper-connection");
    this.connectionLog = new ConnectionLog(cluster, System::nanoTime, STILL_DOWN_EVERY);
    root.getConnectionStateListenable().addListener((client, newState) -> onState(newState));
    root.start();
    try {
      awaitAuthenticated(settings, connectString);
      Optional<String> chroot = connectString.chroot();
      if (chroot.isPresent()) {
        ensureChroot(chroot.get(), settings);
      }
    } catch (RuntimeException e) {
      root.close();
      meters.close();
      connectionEvents.close();
      curatorSafeRunner.close();
      if (transport != null) {
        transport.close();
      }
      throw e;
    }
    if (state == null) {
      state = ConnectionState.CONNECTED;
    }
    this.connectionWatch =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            Threads.named("pipekeeper-connection-watch"));
    connectionWatch.scheduleWithFixedDelay(
        connectionLog::tick, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
    this.membership = new DefaultMembership(session, this::track);
    this.locks = new DefaultLocks(session);
    register(locks);
    this.config =
        new DefaultConfiguration(
            session, this::track, settings.configValueLimit(), settings.configHistoryLimit());
    this.health = new DefaultHealth(session, this::track);
    LOG.info(
        "connected to ZooKeeper {} as {} (cluster {}, session timeout {} ms)",
        settings.zookeeper(),
        identity,
        cluster,
        negotiatedSessionTimeout().toMillis());
  }

  private void onState(ConnectionState newState) {
    state = newState;
    sessionCounters.record(newState);
    connectionLog.changed(newState);
    for (Consumer<ConnectionState> listener : connectionListeners) {
      connectionEvents.execute("connection listener", () -> listener.accept(newState));
    }
  }

  /**
   * Waits for the session and makes one read, which is where the servers' refusals show: a SASL
   * failure (ZooKeeper's client gives up), SASL required and not attempted (the server closes the
   * session at the first request), or a plaintext client on a TLS-only port (no session at all).
   */
  private void awaitAuthenticated(PipekeeperSettings settings, ZkConnectString connectString) {
    String servers = connectString.serversString();
    try {
      session.awaitConnected(settings.connectionTimeout());
    } catch (UnreachableException e) {
      if (authWatch.failed()) {
        throw saslFailed(servers);
      }
      if (transport == null || !settings.security().tls()) {
        Optional<dev.pipekeeper.core.ensemble.HostAndPort> tls =
            PortProbe.firstAnsweringTls(connectString.servers(), settings.connectionTimeout());
        if (tls.isPresent()) {
          throw new AuthenticationException(
              "ZooKeeper at "
                  + tls.get()
                  + " takes TLS only and this connection is plaintext: configure TLS"
                  + " (a truststore)");
        }
      }
      throw e;
    }
    try {
      root.usingNamespace(null).checkExists().forPath("/");
    } catch (KeeperException.AuthFailedException e) {
      throw saslFailed(servers);
    } catch (KeeperException.SessionClosedRequireAuthException e) {
      throw new AuthenticationException(
          "ZooKeeper at "
              + servers
              + " requires SASL authentication and this connection has no SASL user");
    } catch (KeeperException.ConnectionLossException e) {
      if (authWatch.failed()) {
        throw saslFailed(servers);
      }
      boolean sasl = transport != null && transport.saslUser().isPresent();
      // A server that requires SASL answers the first request of an unauthenticated session with
      // SessionClosedRequireAuth and closes it; the close can win over the answer.
      throw session.unreachable(
          "the session was closed at its first request"
              + (sasl
                  ? ""
                  : " (does the server require SASL authentication? this connection has none)"));
    } catch (Exception e) {
      if (authWatch.failed()) {
        throw saslFailed(servers);
      }
      throw session.failure("reading ZooKeeper's root", e);
    }
  }

  private AuthenticationException saslFailed(String servers) {
    String user = transport != null ? transport.saslUser().map(u -> " as " + u).orElse("") : "";
    return new AuthenticationException(
        "SASL authentication"
            + user
            + " failed at ZooKeeper "
            + servers
            + " (wrong user or password, or a mechanism the server does not take)");
  }

  /** The Curator settings every client of this connection shares, for {@code connectString}. */
  private CuratorFrameworkFactory.Builder curator(
      PipekeeperSettings settings, String connectString) {
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .zookeeperFactory(authWatch)
            .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
            .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
            .retryPolicy(settings.retryPolicy());
    if (!settings.authorizations().isEmpty()) {
      builder.authorization(settings.authorizations());
    }
    NodeAcls acls = nodeAcls(settings);
    if (acls != NodeAcls.OPEN) {
      builder.aclProvider(acls);
    }
    ZKClientConfig clientConfig =
        transport != null ? transport.clientConfig() : settings.clientConfig();
    if (clientConfig != null) {
      builder.zkClientConfig(clientConfig);
    }
    return builder;
  }

  /**
   * Makes sure the connect string's chroot exists before anything is read or written under it:
   * without it, every write fails with ZooKeeper's NoNode and every read logs Curator's ERROR (its
   * namespace cannot be created) and finds nothing. The chroot is created, with its parents and the
   * ACLs of the cluster's nodes, through a short-lived client without the chroot, unless the
   * settings say not to; then the connection is refused.
   */
  private void ensureChroot(String chroot, PipekeeperSettings settings) {
    try {
      // Through the chrooted client, "/" is the chroot itself.
      if (root.usingNamespace(null).checkExists().forPath("/") != null) {
        return;
      }
    } catch (Exception e) {
      throw session.failure("checking chroot " + chroot, e);
    }
    if (!settings.createChroot()) {
      throw new PipekeeperException(
          "chroot " + chroot + " does not exist on ZooKeeper; nothing is stored there");
    }
    String servers = ZkConnectString.parse(settings.zookeeper()).serversString();
    try (CuratorFramework plain =
        curator(settings, servers)
            .runSafeService(curatorSafeRunner.executor("curator safe notification"))
            .ensembleTracker(false)
            .build()) {
      plain.start();
      if (!plain.blockUntilConnected(
          (int) settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw session.unreachable("no connection to create chroot " + chroot);
      }
      plain.create().creatingParentsIfNeeded().forPath(chroot);
      LOG.info("created chroot {} on ZooKeeper {}", chroot, servers);
    } catch (KeeperException.NodeExistsException createdMeanwhile) {
      // another client created it first: as good
    } catch (Exception e) {
      throw session.failure("creating chroot " + chroot, e);
    }
  }

  private static String defaultIdentity() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    host = host.replaceAll("[^A-Za-z0-9_-]", "-");
    if (host.length() > 100) {
      host = host.substring(0, 100);
    }
    return host
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  }

  /** Remembers a resource to close with this connection, or closes it at once after close. */
  synchronized <T extends AutoCloseable> T register(T resource) {
    if (closed.get()) {
      closeQuietly(resource);
      throw new IllegalStateException("the Pipekeeper connection is closed");
    }
    resources.add(resource);
    return resource;
  }

  /** {@link Registry} of this connection: registers, and returns what forgets again. */
  @Override
  public Session session() {
    return session;
  }

  @Override
  public Runnable track(AutoCloseable resource) {
    register(resource);
    return () -> forget(resource);
  }

  private synchronized void forget(AutoCloseable resource) {
    resources.remove(resource);
  }

  @Override
  public String cluster() {
    return cluster;
  }

  @Override
  public String identity() {
    return session.identity();
  }

  @Override
  public Duration negotiatedSessionTimeout() {
    try {
      return Duration.ofMillis(root.getZookeeperClient().getZooKeeper().getSessionTimeout());
    } catch (Exception e) {
      throw new PipekeeperException("cannot read the session timeout: " + e, e);
    }
  }

  @Override
  public long sessionId() {
    try {
      return root.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      throw new PipekeeperException("cannot read the session id: " + e, e);
    }
  }

  @Override
  public ConnectionState connectionState() {
    return state;
  }

  @Override
  public void onConnectionStateChange(Consumer<ConnectionState> listener) {
    connectionListeners.add(listener);
  }

  @Override
  public MeterRegistry metrics() {
    return meters.registry();
  }

  @Override
  public Membership membership() {
    return membership;
  }

  @Override
  public Leadership leadership(String role) {
    Names.check("role", role);
    DefaultLeadership leadership = new DefaultLeadership(session, role);
    leadership.forgetOnClose(track(leadership));
    return leadership;
  }

  @Override
  public dev.pipekeeper.core.leader.RoleRetirement retireRole(String role, boolean force) {
    return RoleRetirements.retire(session, role, force);
  }

  @Override
  public Locks locks() {
    return locks;
  }

  @Override
  public Barrier barrier(String name, int members) {
    Names.check("barrier", name);
    if (members < 1) {
      throw new InvalidInputException("a barrier needs at least 1 member, not " + members);
    }
    return new DefaultBarrier(session, name, members);
  }

  @Override
  public Assignments assignments(String group) {
    return new DefaultAssignments(session, group);
  }

  @Override
  public WorkUnits workUnits(String group) {
    return new DefaultWorkUnits(session, group);
  }

  @Override
  public GroupWorker worker(
      String group, MemberInfo info, UnitHandler handler, WorkerOptions options) {
    java.util.Objects.requireNonNull(handler, "handler");
    Duration sessionTimeout = negotiatedSessionTimeout();
    if (options.stopTimeout().multipliedBy(3).compareTo(sessionTimeout) > 0) {
      LOG.warn(
          "group {}: stop timeout {} ms is above a third of the session timeout ({} ms): a member cut"
              + " off from ZooKeeper may still be stopping when another takes its units over",
          group,
          options.stopTimeout().toMillis(),
          sessionTimeout.toMillis());
    }
    DefaultGroupWorker worker =
        new DefaultGroupWorker(session, group, handler, options, sessionTimeout);
    worker.start(membership, info);
    worker.forgetOnClose(track(worker));
    return worker;
  }

  @Override
  public Configuration config() {
    return config;
  }

  @Override
  public Health health() {
    return health;
  }

  @Override
  public MonitorBuilder monitor() {
    return Monitor.builder(this);
  }

  @Override
  public Alerts alerts() {
    return new DefaultAlerts(session);
  }

  @Override
  public ClusterInspector inspector() {
    return new DefaultInspector(session, this::track);
  }

  @Override
  public dev.pipekeeper.core.security.AclAudit acls() {
    return new DefaultAclAudit(session);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<AutoCloseable> open;
    synchronized (this) {
      open = new java.util.ArrayList<>(resources);
      resources.clear();
    }
    java.util.Collections.reverse(open); // the last opened closes first
    boolean connected = root.getZookeeperClient().isConnected();
    if (connected) {
      open.forEach(DefaultPipekeeper::closeQuietly);
      root.close();
    } else {
      closeCutOff(open);
    }
    meters.close(); // the session's own meters, and any a primitive failed to remove
    connectionEvents.close();
    connectionWatch.shutdownNow();
    curatorSafeRunner.close();
    if (transport != null) {
      transport.close();
    }
    if (connected) {
      LOG.info("closed the ZooKeeper session of {} (cluster {})", session.identity(), cluster);
    } else {
      LOG.info(
          "closed {} (cluster {}); its session expires on the server", session.identity(), cluster);
    }
  }

  /**
   * Closes while cut off from ZooKeeper. Done as when connected, each delete of an ephemeral node
   * would wait out the connection timeout and the retry policy (minutes for a member with health
   * and a config view); the server removes them anyway when the session expires. So each remote
   * step gets one attempt, the nodes' deletes run side by side (they are marked closed at once, so
   * closing the client cannot call back into them), and the client closes meanwhile.
   */
  private void closeCutOff(List<AutoCloseable> open) {
    LOG.info(
        "closing {} (cluster {}) cut off from ZooKeeper: its ephemeral nodes go when the session"
            + " expires on the server",
        session.identity(),
        cluster);
    root.getZookeeperClient().setRetryPolicy(new org.apache.curator.retry.RetryNTimes(0, 0));
    java.util.concurrent.ExecutorService closer =
        java.util.concurrent.Executors.newCachedThreadPool(Threads.named("pipekeeper-closing"));
    session.closeCutOff(closer);
    open.forEach(DefaultPipekeeper::closeQuietly);
    closer.shutdown();
    try {
      session.awaitCutOffClosesStarted(session.connectionTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    root.close();
    try {
      if (!closer.awaitTermination(
          session.connectionTimeout().toMillis() + 1_000,
          java.util.concurrent.TimeUnit.MILLISECONDS)) {
        closer.shutdownNow();
      }
    } catch (InterruptedException e) {
      closer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      LOG.warn("closing {} failed: {}", resource, e.toString());
    }
  }

  /** The ACLs of this connection's nodes: the model's, else the default of the builder's class. */
  static NodeAcls nodeAcls(PipekeeperSettings settings) {
    if (settings.acls() != null) {
      return new NodeAcls(settings.acls().nodeAcl(), settings.acls().secretAcl(), true);
    }
    boolean authenticated =
        !settings.authorizations().isEmpty()
            || (settings.security() != null && settings.security().saslUser().isPresent());
    return authenticated ? NodeAcls.CREATOR_ONLY : NodeAcls.OPEN;
  }
}
