package dev.pipekeeper.core.security.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.utils.ConfigurableZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * Curator's ZooKeeper factory with the clients' default watcher wrapped, to see ZooKeeper's {@code
 * AuthFailed} event: after a SASL failure the ZooKeeper client gives up for good, which Curator
 * only shows as a connection that never comes up.
 */
public final class AuthWatch extends ConfigurableZookeeperFactory {
  private final AtomicBoolean failed = new AtomicBoolean();

  /** Whether a client of this factory saw its authentication fail. */
  public boolean failed() {
    return failed.get();
  }

  @Override
  public ZooKeeper newZooKeeper(
      String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly)
      throws Exception {
    return super.newZooKeeper(connectString, sessionTimeout, wrap(watcher), canBeReadOnly);
  }

  @Override
  public ZooKeeper newZooKeeper(
      String connectString,
      int sessionTimeout,
      Watcher watcher,
      boolean canBeReadOnly,
      ZKClientConfig config)
      throws Exception {
    return super.newZooKeeper(connectString, sessionTimeout, wrap(watcher), canBeReadOnly, config);
  }

  private Watcher wrap(Watcher watcher) {
    return event -> {
      if (event.getState() == KeeperState.AuthFailed) {
        failed.set(true);
      }
      // Curator's watcher cannot take an event without a state (it throws).
      if (event.getState() != null) {
        watcher.process(event);
      }
    };
  }
}
