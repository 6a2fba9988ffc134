package dev.pipekeeper.core.locks.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.StandardLockInternalsDriver;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;

/**
 * Curator's {@link InterProcessMutex} whose lock node's creation zxid (the fencing token) is
 * captured from the create call itself, at no extra round trip, and whose node carries the owner's
 * identity.
 */
final class FencedMutex extends InterProcessMutex {
  private final CapturingDriver driver;
  private final byte[] ownerData;

  private FencedMutex(
      CuratorFramework client, String path, CapturingDriver driver, byte[] ownerData) {
    super(client, path, driver);
    this.driver = driver;
    this.ownerData = ownerData;
  }

  static FencedMutex create(CuratorFramework client, String path, byte[] ownerData) {
    return new FencedMutex(client, path, new CapturingDriver(), ownerData);
  }

  @Override
  protected byte[] getLockNodeBytes() {
    return ownerData;
  }

  /** The path of this process's lock node while held. */
  String ourPath() {
    return getLockPath();
  }

  /** The creation zxid of our lock node, if the create call reported it. */
  Long capturedToken(String path) {
    return driver.tokens.remove(path);
  }

  private static final class CapturingDriver extends StandardLockInternalsDriver {
    final Map<String, Long> tokens = new ConcurrentHashMap<>();

    @Override
    public String createsTheLock(CuratorFramework client, String path, byte[] lockNodeBytes)
        throws Exception {
      Stat stat = new Stat();
      String ours =
          client
              .create()
              .storingStatIn(stat)
              .creatingParentContainersIfNeeded()
              .withProtection()
              .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
              .forPath(path, lockNodeBytes);
      // A protected create recovered after a connection loss does not fill the stat.
      if (stat.getCzxid() != 0) {
        tokens.put(ours, stat.getCzxid());
      }
      return ours;
    }
  }
}
