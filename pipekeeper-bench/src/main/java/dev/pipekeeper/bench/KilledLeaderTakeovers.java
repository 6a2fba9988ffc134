package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.embedded.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Takeovers after the leader's session dies without a goodbye (docs/design.md §7, P2: at most the
 * negotiated session timeout + 1 s). The leader is cut off for real, so the server learns nothing
 * until it expires the session; then the leader's election node goes and the next contender is
 * granted. Measured: from just before the cut to the next leader's grant callback.
 *
 * <p>Each round uses a fresh role: the victim starts first and leads, then {@code contenders - 1}
 * Pipekeeper contenders (on connections of this JVM kept for the whole run) join behind it; once
 * every election node exists, the victim is cut off.
 */
final class KilledLeaderTakeovers {
  private KilledLeaderTakeovers() {}

  /** A leader that can be cut off. */
  interface Victim extends AutoCloseable {
    /** The session timeout the server granted the victim. */
    long negotiatedMs();

    /** The measured step: cut the victim off from the server. */
    void cut();

    @Override
    void close();
  }

  /** Starts a victim that leads {@code role} when this returns. */
  interface VictimFactory {
    Victim lead(String role) throws Exception;
  }

  /**
   * The figures of one kind of cut: the whole takeover, and its two parts, split where the server
   * deletes the victim's election node (seen through a watch of another client, {@code raw}).
   *
   * @param millis cut → the next lease granted
   * @param expiry cut → the victim's election node deleted: the server expiring the session
   * @param handover node deleted → the next lease granted: the watch, the latch's check and the
   *     epoch write of the next contender
   * @param negotiatedMs the victim's negotiated session timeout
   */
  record Result(Stats millis, Stats expiry, Stats handover, long negotiatedMs) {}

  static Result measure(
      VictimFactory victims,
      List<Pipekeeper> contenders,
      Pipekeeper observer,
      RawObserver raw,
      String rolePrefix,
      int rounds)
      throws Exception {
    Stats millis = new Stats();
    Stats expiry = new Stats();
    Stats handover = new Stats();
    long negotiated = 0;
    for (int round = 0; round < rounds; round++) {
      String role = rolePrefix + "-" + round;
      Grants grants = new Grants();
      List<Leadership> followers = new ArrayList<>();
      try (Victim victim = victims.lead(role)) {
        negotiated = victim.negotiatedMs();
        for (int i = 0; i < contenders.size(); i++) {
          String label = "f" + i;
          followers.add(
              contenders.get(i).leadership(role).onGranted(lease -> grants.granted(label)).start());
        }
        Grants.awaitContenders(
            GracefulTakeovers.pipekeeperContenders(observer, role), contenders.size() + 1);
        RawObserver.Change deletion = raw.watchLeaderNode(role);
        long start = System.nanoTime();
        victim.cut();
        Grants.Grant next = grants.next(Duration.ofMillis(negotiated).plusSeconds(30));
        long deleted = deletion.await(Duration.ofSeconds(10));
        double took = (next.nanos() - start) / 1e6;
        millis.add(took);
        expiry.add((deleted - start) / 1e6);
        handover.add((next.nanos() - deleted) / 1e6);
        System.err.printf(
            "%s: %s granted %.0f ms after the cut (node deleted after %.0f ms)%n",
            role, next.label(), took, (deleted - start) / 1e6);
      } finally {
        followers.forEach(Leadership::close);
      }
    }
    return new Result(millis, expiry, handover, negotiated);
  }

  /** The leader runs in a child JVM ({@link TakeoverLeader}) and is killed with SIGKILL. */
  static VictimFactory killedProcess(String connect, String cluster, int sessionMs) {
    return role -> {
      LeaderProcess process = LeaderProcess.start(connect, cluster, role, sessionMs);
      try {
        long negotiated = Long.parseLong(process.await("SESSION", Duration.ofSeconds(60)));
        process.await("LEADING", Duration.ofSeconds(30));
        return new Victim() {
          @Override
          public long negotiatedMs() {
            return negotiated;
          }

          @Override
          public void cut() {
            process.kill();
          }

          @Override
          public void close() {
            process.close();
          }
        };
      } catch (RuntimeException | InterruptedException e) {
        process.kill();
        throw e;
      }
    };
  }

  /**
   * The leader runs in this JVM but reaches the server through a {@link TcpProxy}, which is
   * blackholed: the connection stays open and carries nothing more (a partition, or a paused host).
   */
  static VictimFactory blackholed(String host, int port, String cluster, int sessionMs) {
    return role -> {
      TcpProxy proxy = TcpProxy.start(host, port);
      Pipekeeper pk =
          GracefulTakeovers.connect(proxy.address(), cluster, "blackholed-leader", sessionMs);
      pk.leadership(role)
          .start()
          .awaitLease(Duration.ofSeconds(30))
          .orElseThrow(() -> new IllegalStateException("the victim was not granted " + role));
      return new Victim() {
        @Override
        public long negotiatedMs() {
          return pk.negotiatedSessionTimeout().toMillis();
        }

        @Override
        public void cut() {
          proxy.blackhole();
        }

        @Override
        public void close() {
          proxy.close();
          pk.close();
        }
      };
    };
  }
}
