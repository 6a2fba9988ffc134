package dev.pipekeeper.connect.zookeeper;

import dev.pipekeeper.core.security.ZooKeeperClientFile;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.data.ACL;

/**
 * The one way the connectors build their Curator client from their settings: the connect string,
 * the session and connection timeouts, and the TLS and digest credentials of the ZooKeeper client
 * file ({@link ZooKeeperClientFile}, the file the CLI's {@code --zk-config} reads), and the ACLs of
 * its security model.
 */
public final class ZooKeeperClients {
  private ZooKeeperClients() {}

  /**
   * A client, not started. The nodes it creates get {@link ZooKeeperConnection#nodeAcl()} unless a
   * create asks for other ACLs.
   */
  public static CuratorFramework build(ZooKeeperConnection config) {
    int connectionMs = (int) config.connectionTimeout().toMillis();
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(config.connectString())
            .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
            .connectionTimeoutMs(connectionMs)
            // the connect string as given, as Pipekeeper's own connections by default (and no
            // tracker left reading the ensemble's config from a client closed right after start)
            .ensembleTracker(false)
            // a read retried for a few seconds at most: poll() gives the rest of its work back
            // and the reconcile after the reconnect catches up
            .retryPolicy(new BoundedExponentialBackoffRetry(100, 1_000, 3));
    List<ACL> acl = config.nodeAcl();
    builder.aclProvider(
        new ACLProvider() {
          @Override
          public List<ACL> getDefaultAcl() {
            return acl;
          }

          @Override
          public List<ACL> getAclForPath(String path) {
            return acl;
          }
        });
    Optional<ZooKeeperClientFile> file = config.clientFile();
    file.flatMap(ZooKeeperClientFile::security)
        .ifPresent(security -> builder.zkClientConfig(security.tlsClientConfig()));
    file.flatMap(ZooKeeperClientFile::digestCredentials)
        .ifPresent(digest -> builder.authorization("digest", digest));
    return builder.build();
  }

  /**
   * Whether a client with {@code config} connects within its connection timeout (then closes it).
   *
   * @return null if it did, else why not in one line
   */
  public static String checkReachable(ZooKeeperConnection config) {
    try (CuratorFramework client = build(config)) {
      client.start();
      long timeout = config.connectionTimeout().toMillis();
      if (client.blockUntilConnected((int) timeout, TimeUnit.MILLISECONDS)) {
        return null;
      }
      return "no ZooKeeper server of "
          + config.connectString()
          + " answered within "
          + timeout
          + " ms";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while connecting to " + config.connectString();
    } catch (RuntimeException e) {
      return "cannot connect to " + config.connectString() + ": " + e.getMessage();
    }
  }
}
