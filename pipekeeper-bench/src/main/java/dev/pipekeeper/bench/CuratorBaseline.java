package dev.pipekeeper.bench;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;

/**
 * The raw Curator client of the baselines: Pipekeeper's connection defaults (a 5 s connection
 * timeout, 3 retries with 100 ms to 1 s backoff), the session timeout given, and a namespace of the
 * same depth as a Pipekeeper cluster's ({@code /pipekeeper/curator-baseline}), so that paths have
 * the same shape on both sides.
 */
final class CuratorBaseline {
  static final String NAMESPACE = "pipekeeper/curator-baseline";

  private CuratorBaseline() {}

  /** A started client, once connected. */
  static CuratorFramework client(String connect, int sessionMs) throws InterruptedException {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(connect)
            .sessionTimeoutMs(sessionMs)
            .connectionTimeoutMs(5000)
            .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 3))
            .namespace(NAMESPACE)
            .build();
    client.start();
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException("the Curator client did not connect to " + connect);
    }
    return client;
  }
}
