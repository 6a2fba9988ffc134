package dev.pipekeeper.connect.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * A seeded random stream of creates, sets and deletes on a small set of paths under a root (two
 * levels, so deletes take children along), and the model of what the tree must then hold (path to
 * data). Print the seed to replay a failure.
 */
public final class OperationStream {
  private final CuratorFramework client;
  private final String root;
  private final Random random;
  private final Map<String, String> model = new TreeMap<>();
  private int counter;

  public OperationStream(CuratorFramework client, String root, long seed) throws Exception {
    this.client = client;
    this.root = root;
    this.random = new Random(seed);
    if (client.checkExists().forPath(root) == null) {
      client.create().creatingParentsIfNeeded().forPath(root, bytes("root"));
    }
    model.put(root, new String(client.getData().forPath(root), StandardCharsets.UTF_8));
  }

  /** Runs {@code count} operations, each applied to ZooKeeper and to the model. */
  public void run(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      step();
    }
  }

  private void step() throws Exception {
    String parent = root + "/p" + random.nextInt(4);
    String path = random.nextInt(3) == 0 ? parent : parent + "/c" + random.nextInt(3);
    String data = "v" + (++counter);
    int choice = random.nextInt(10);
    if (!model.containsKey(path)) {
      if (!model.containsKey(parent)) {
        client.create().forPath(parent, bytes(data));
        model.put(parent, data);
      }
      if (!path.equals(parent)) {
        client.create().forPath(path, bytes(data));
        model.put(path, data);
      }
    } else if (choice < 7) {
      client.setData().forPath(path, bytes(data));
      model.put(path, data);
    } else {
      try {
        client.delete().deletingChildrenIfNeeded().forPath(path);
      } catch (KeeperException.NoNodeException e) {
        throw new IllegalStateException("the model has " + path + " but ZooKeeper does not", e);
      }
      model.keySet().removeIf(p -> p.equals(path) || p.startsWith(path + "/"));
    }
  }

  /** Path to data, as the tree must be. */
  public Map<String, String> model() {
    return Map.copyOf(model);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
