package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.RoleInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;

/**
 * Graceful takeovers (docs/design.md §7, P2: at most 250 ms): the leader leaves on purpose and the
 * next contender in line is granted leadership. Measured: from just before the leader's leaving
 * call to the next leader's grant callback ({@link System#nanoTime()} on both sides, one JVM).
 *
 * <p>{@code contenders} contenders, each on its own connection, contend for one role; after each
 * takeover the leaver is replaced by a fresh contender at the back of the line, and the next round
 * starts once its election node exists. The first {@code warmup} takeovers are not counted.
 */
final class GracefulTakeovers {
  private static final Duration GRANT_TIMEOUT = Duration.ofSeconds(30);

  private GracefulTakeovers() {}

  /** One contender on its own connection. */
  interface Contender {
    /** The measured step: leave the election. */
    void leave() throws Exception;

    /** After the measurement: closes what {@link #leave()} left open. */
    void discard();
  }

  /** Makes contenders that report their grant to {@link Grants}. */
  interface Factory {
    Contender join(String label, Grants grants) throws Exception;
  }

  static Stats measure(
      Factory factory, IntSupplier registered, int contenders, int warmup, int rounds)
      throws Exception {
    Grants grants = new Grants();
    Map<String, Contender> pool = new LinkedHashMap<>();
    int joined = 0;
    try {
      String first = "c" + joined++;
      pool.put(first, factory.join(first, grants));
      Grants.Grant current = grants.next(GRANT_TIMEOUT);
      while (pool.size() < contenders) {
        String label = "c" + joined++;
        pool.put(label, factory.join(label, grants));
      }
      Grants.awaitContenders(registered, contenders);
      Stats millis = new Stats();
      for (int round = 0; round < warmup + rounds; round++) {
        Contender leader = pool.remove(current.label());
        long start = System.nanoTime();
        leader.leave();
        Grants.Grant next = grants.next(GRANT_TIMEOUT);
        if (next.label().equals(current.label())) {
          throw new IllegalStateException("the leaver was granted again");
        }
        if (round >= warmup) {
          millis.add((next.nanos() - start) / 1e6);
        }
        leader.discard();
        String label = "c" + joined++;
        pool.put(label, factory.join(label, grants));
        Grants.awaitContenders(registered, contenders);
        current = next;
      }
      return millis;
    } finally {
      pool.values().forEach(Contender::discard);
    }
  }

  /**
   * Pipekeeper contenders: each its own {@link Pipekeeper} connection and {@link Leadership}; the
   * grant callback is {@code onGranted}, called after the role's epoch was raised. Leaving is
   * {@code Leadership.close()} or, with {@code closeConnection}, {@code Pipekeeper.close()}.
   */
  static Factory pipekeeper(
      String connect, String cluster, String role, int sessionMs, boolean closeConnection) {
    return (label, grants) -> {
      Pipekeeper pk = connect(connect, cluster, label, sessionMs);
      Leadership leadership = pk.leadership(role).onGranted(lease -> grants.granted(label));
      leadership.start();
      return new Contender() {
        @Override
        public void leave() {
          if (closeConnection) {
            pk.close();
          } else {
            leadership.close();
          }
        }

        @Override
        public void discard() {
          pk.close();
        }
      };
    };
  }

  /** How many contenders of {@code role} have election nodes, as {@code observer} reads them. */
  static IntSupplier pipekeeperContenders(Pipekeeper observer, String role) {
    return () ->
        observer.inspector().roles().stream()
            .filter(info -> info.role().equals(role))
            .findFirst()
            .map(RoleInfo::contenders)
            .map(list -> list.size())
            .orElse(0);
  }

  /**
   * The reference: Curator's {@link LeaderLatch} as is, each on its own client, under {@code
   * /pipekeeper/curator-baseline/leaders/ROLE}; the grant callback is {@code isLeader()}. Leaving
   * is {@code LeaderLatch.close()}.
   */
  static Factory curator(String connect, String role, int sessionMs) {
    return (label, grants) -> {
      CuratorFramework client = CuratorBaseline.client(connect, sessionMs);
      LeaderLatch latch = new LeaderLatch(client, "/leaders/" + role, label);
      latch.addListener(
          new LeaderLatchListener() {
            @Override
            public void isLeader() {
              grants.granted(label);
            }

            @Override
            public void notLeader() {}
          });
      latch.start();
      return new Contender() {
        @Override
        public void leave() throws Exception {
          latch.close();
        }

        @Override
        public void discard() {
          client.close();
        }
      };
    };
  }

  /** How many latch nodes {@code role} has under the Curator baseline's root. */
  static IntSupplier curatorContenders(CuratorFramework observer, String role) {
    return () -> {
      try {
        return observer.getChildren().forPath("/leaders/" + role).size();
      } catch (KeeperException.NoNodeException none) {
        return 0;
      } catch (Exception e) {
        throw new IllegalStateException("cannot list the latch nodes: " + e, e);
      }
    };
  }

  static Pipekeeper connect(String connect, String cluster, String identity, int sessionMs) {
    return Pipekeeper.builder()
        .zookeeper(connect)
        .cluster(cluster)
        .identity(identity)
        .sessionTimeout(Duration.ofMillis(sessionMs))
        .build();
  }
}
