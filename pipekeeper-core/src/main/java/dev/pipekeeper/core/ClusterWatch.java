package dev.pipekeeper.core;

/**
 * A watch of a cluster's whole tree ({@link ClusterInspector#watch}): one persistent recursive
 * ZooKeeper watch, which tells its {@link ClusterListener} what changed, as it changes, without
 * reading or caching any node. It is set again by itself after a reconnect. Closed with the
 * connection; safe to close twice.
 */
public interface ClusterWatch extends AutoCloseable {

  @Override
  void close();
}
