package dev.pipekeeper.core;

/**
 * What a {@link ClusterWatch} tells. Called on the watch's own thread, one call at a time; an
 * exception is logged and does not stop later calls. Changes that come while a call runs are
 * merged: each {@link ClusterChange} still waiting is told once, in the order it first came.
 */
public interface ClusterListener {

  /** Something in {@code change.area()} named {@code change.name()} changed. */
  void changed(ClusterChange change);

  /**
   * The watch is in place: once after {@link ClusterInspector#watch} set it, and again after every
   * reconnect. Changes made while it was not in place (ZooKeeper away) are not told one by one:
   * read again what you show.
   */
  default void watching() {}
}
