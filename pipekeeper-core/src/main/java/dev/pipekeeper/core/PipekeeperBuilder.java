package dev.pipekeeper.core;

import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.security.AclModel;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.AuthInfo;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * Settings of a {@link Pipekeeper} connection. Every setting but {@link #zookeeper(String)} has a
 * default.
 *
 * <p>Security: {@link #authorization(String, byte[])} adds credentials (e.g. {@code digest}, {@code
 * user:password}); {@link #acls(AclModel)} gives every node Pipekeeper creates the ACLs of a role
 * model (admins, writers, readers, secret readers; see docs/security.md). With credentials and no
 * model, Pipekeeper's nodes are created readable and writable by their creator's identity only,
 * never world-writable; with neither, they are open (ZooKeeper's {@code world:anyone}). TLS and
 * SASL DIGEST-MD5 are set per connection with {@link #security(ZooKeeperSecurity)}, which makes the
 * connection's own client config and JAAS section (no system property is read or set for them);
 * {@link #clientConfig(ZKClientConfig)} passes ZooKeeper client settings through as they are
 * instead (the two are exclusive). A {@link dev.pipekeeper.core.security.ZooKeeperClientFile} gives
 * credentials, the role model and the transport settings from one file. See {@code
 * docs/security.md}.
 */
public final class PipekeeperBuilder {
  private String zookeeper;
  private String cluster = "default";
  private String identity;
  private Duration sessionTimeout = Duration.ofSeconds(10);
  private Duration connectionTimeout = Duration.ofSeconds(5);
  private RetryPolicy retryPolicy;
  private final List<AuthInfo> authorizations = new ArrayList<>();
  private AclModel acls;
  private ZKClientConfig clientConfig;
  private ZooKeeperSecurity security;
  private boolean followEnsembleChanges;
  private boolean createChroot = true;
  private int configValueLimit = 256 * 1024;
  private int configHistoryLimit = 100;
  private MeterRegistry metrics = Metrics.globalRegistry;

  PipekeeperBuilder() {}

  /**
   * The ZooKeeper connect string, e.g. {@code zk1:2181,zk2:2181,zk3:2181}, optionally with a chroot
   * ({@code zk1:2181,zk2:2181/kafka-x}) under which the cluster's data then lives (see {@link
   * #createChroot(boolean)}). Required.
   */
  public PipekeeperBuilder zookeeper(String connectString) {
    this.zookeeper = connectString;
    return this;
  }

  /** The cluster name (default {@code default}); data lives under {@code /pipekeeper/NAME}. */
  public PipekeeperBuilder cluster(String cluster) {
    this.cluster = cluster;
    return this;
  }

  /** The identity written into election and lock nodes (default {@code host-pid-random}). */
  public PipekeeperBuilder identity(String identity) {
    this.identity = identity;
    return this;
  }

  /**
   * The session timeout to ask for (default 10 s): how long a silent client keeps its roles, locks
   * and membership. The servers clamp it to their minimum and maximum.
   */
  public PipekeeperBuilder sessionTimeout(Duration sessionTimeout) {
    this.sessionTimeout = Objects.requireNonNull(sessionTimeout);
    return this;
  }

  /**
   * How long {@link #build()} and each operation wait for a connection (default 5 s). Also bounds
   * waits for locks and leadership while ZooKeeper is unreachable.
   */
  public PipekeeperBuilder connectionTimeout(Duration connectionTimeout) {
    this.connectionTimeout = Objects.requireNonNull(connectionTimeout);
    return this;
  }

  /** Curator's retry policy for operations (default: 3 retries, 100 ms to 1 s backoff). */
  public PipekeeperBuilder retryPolicy(RetryPolicy retryPolicy) {
    this.retryPolicy = Objects.requireNonNull(retryPolicy);
    return this;
  }

  /** Adds credentials for the session, e.g. {@code ("digest", "user:password".getBytes())}. */
  public PipekeeperBuilder authorization(String scheme, byte[] credentials) {
    authorizations.add(new AuthInfo(scheme, credentials.clone()));
    return this;
  }

  /**
   * The role model of the ACLs of every node Pipekeeper creates, the chroot included: admins
   * everything, writers read, write, create and delete, readers read; secret configuration values
   * only admins and secret readers may read (default: see the class description).
   */
  public PipekeeperBuilder acls(AclModel model) {
    this.acls = Objects.requireNonNull(model);
    return this;
  }

  /**
   * ZooKeeper client settings passed through as they are. Note that {@code new ZKClientConfig()}
   * copies the JVM's {@code zookeeper.*} system properties, TLS and SASL ones included, and that
   * its SASL section is looked up in the JVM-wide JAAS configuration: for per-connection TLS and
   * SASL use {@link #security(ZooKeeperSecurity)} instead, which cannot be combined with this.
   */
  public PipekeeperBuilder clientConfig(ZKClientConfig clientConfig) {
    this.clientConfig = Objects.requireNonNull(clientConfig);
    return this;
  }

  /**
   * TLS and SASL of this connection (default none): its own client config (TLS on a Netty socket,
   * hostname verification unless turned off) and its own JAAS section for the SASL user, so that
   * other connections in this JVM keep theirs. Password files are read by {@link #build()}.
   */
  public PipekeeperBuilder security(ZooKeeperSecurity security) {
    this.security = Objects.requireNonNull(security);
    return this;
  }

  /**
   * Whether the client follows the ensemble's own list of servers ({@code /zookeeper/config})
   * instead of the connect string (default false). Turn it on with ZooKeeper's dynamic
   * reconfiguration; leave it off when clients reach the servers through other addresses (DNS
   * aliases, load balancers, proxies) than the servers list for themselves.
   */
  public PipekeeperBuilder followEnsembleChanges(boolean follow) {
    this.followEnsembleChanges = follow;
    return this;
  }

  /**
   * Whether {@link #build()} creates the connect string's chroot when it does not exist yet
   * (default true), with the ACLs of the cluster's nodes ({@link #acls(AclModel)} or the default).
   * A tool that only reads should say false: {@link #build()} then fails with one line for a
   * missing chroot instead of creating a node a typo asked for.
   */
  public PipekeeperBuilder createChroot(boolean create) {
    this.createChroot = create;
    return this;
  }

  /** The largest configuration value accepted, in bytes of JSON (default 256 KiB). */
  public PipekeeperBuilder configValueLimit(int bytes) {
    if (bytes < 1 || bytes > 1_000_000) {
      throw new InvalidInputException(
          "config value limit must be between 1 and 1000000 bytes (ZooKeeper's node limit is 1 MB), not "
              + bytes);
    }
    this.configValueLimit = bytes;
    return this;
  }

  /** How many history entries are kept per configuration key (default 100; older are pruned). */
  public PipekeeperBuilder configHistoryLimit(int entries) {
    if (entries < 1) {
      throw new InvalidInputException("config history limit must be at least 1, not " + entries);
    }
    this.configHistoryLimit = entries;
    return this;
  }

  /**
   * Where the connection records its coordination meters (default Micrometer's global registry,
   * which records nothing until a registry is added to it): session state, leadership, config
   * versions, owned units, members joined and locks held, tagged with the {@code cluster} and this
   * connection's {@code identity}. They are removed as their primitives close, and all of them when
   * the connection closes. Pipelines built on the connection record in the same registry unless
   * given their own.
   */
  public PipekeeperBuilder metrics(MeterRegistry registry) {
    this.metrics = Objects.requireNonNull(registry);
    return this;
  }

  /**
   * Connects and returns once the session is established.
   *
   * @throws InvalidInputException if a setting is malformed (connect string, cluster name,
   *     timeouts)
   * @throws UnreachableException if no server answered within the connection timeout
   * @throws AuthenticationException if the TLS handshake or SASL authentication failed, or the
   *     servers require TLS or SASL that this connection does not use
   * @throws PipekeeperException if the connect string's chroot does not exist and {@link
   *     #createChroot(boolean)} is off
   */
  public Pipekeeper build() {
    if (zookeeper == null) {
      throw new InvalidInputException("the ZooKeeper connect string is required");
    }
    dev.pipekeeper.core.ensemble.ZkConnectString.parse(zookeeper);
    ZkLayout.root(cluster);
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new InvalidInputException(
          "session timeout must be positive, not " + Durations.format(sessionTimeout));
    }
    if (connectionTimeout.isNegative() || connectionTimeout.isZero()) {
      throw new InvalidInputException(
          "connection timeout must be positive, not " + Durations.format(connectionTimeout));
    }
    if (security != null && clientConfig != null) {
      throw new InvalidInputException(
          "give either security(ZooKeeperSecurity) or clientConfig(ZKClientConfig), not both");
    }
    return new DefaultPipekeeper(settings());
  }

  /** What {@link #build()} hands the implementation: the settings, fixed. */
  private PipekeeperSettings settings() {
    return new PipekeeperSettings(
        zookeeper,
        cluster,
        identity,
        sessionTimeout,
        connectionTimeout,
        retryPolicy != null ? retryPolicy : new BoundedExponentialBackoffRetry(100, 1000, 3),
        List.copyOf(authorizations),
        acls,
        clientConfig,
        security,
        followEnsembleChanges,
        createChroot,
        configValueLimit,
        configHistoryLimit,
        metrics);
  }
}
