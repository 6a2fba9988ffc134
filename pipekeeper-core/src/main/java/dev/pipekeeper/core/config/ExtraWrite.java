package dev.pipekeeper.core.config;

/**
 * A node outside the cluster's tree written in the same ZooKeeper multi-op as a configuration
 * change ({@link Configuration#commit}), so that both are written or neither: a writer that records
 * alongside the change how far it got (a Kafka Connect sink its partition's offset) can tell after
 * a crash whether the change was made.
 *
 * @param path an absolute path within the connection's chroot, outside the cluster's root {@code
 *     /pipekeeper/CLUSTER} (whose nodes only Pipekeeper's primitives write); its parent must exist
 * @param data the node's data
 * @param expectedVersion {@code -1}: the node is created (persistent, with the ACL of the
 *     connection's nodes) and must not exist; else its data is set and it must be at this version
 */
public record ExtraWrite(String path, byte[] data, int expectedVersion) {
  public ExtraWrite {
    data = data == null ? new byte[0] : data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }
}
