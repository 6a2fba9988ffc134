package dev.pipekeeper.core;

import dev.pipekeeper.core.security.AclModel;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.AuthInfo;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The settings of one connection as {@link PipekeeperBuilder#build()} checked them, handed to the
 * implementation; immutable but for the objects the user passed in (retry policy, client config,
 * registry), which are used as given.
 *
 * @param identity the identity, or null for the default
 * @param acls the ACL model, or null for the default
 * @param clientConfig the client config, or null for ZooKeeper's defaults
 * @param security the transport security, or null for none (exclusive with {@code clientConfig})
 */
record PipekeeperSettings(
    String zookeeper,
    String cluster,
    String identity,
    Duration sessionTimeout,
    Duration connectionTimeout,
    RetryPolicy retryPolicy,
    List<AuthInfo> authorizations,
    AclModel acls,
    ZKClientConfig clientConfig,
    ZooKeeperSecurity security,
    boolean followEnsembleChanges,
    boolean createChroot,
    int configValueLimit,
    int configHistoryLimit,
    MeterRegistry metrics) {}
