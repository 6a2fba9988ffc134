package dev.pipekeeper.faults;

import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.embedded.ZooKeeperNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The traps of leader election (Curator's {@code LeaderLatch}, under Pipekeeper's {@code
 * Leadership} with its fencing epochs). In each, every contender publishes the role's assignment
 * under its lease while it believes it leads; the run fails on two contenders believing they lead
 * at once (sampled every millisecond), on a publication of a deposed leader that ZooKeeper let
 * through (the history checker's {@code stale-publication}), on an epoch not raised by a new term,
 * on a latch node of an expired session still counted as a contender's own, and on a role left
 * without a leader, or with a contender that can no longer win it.
 */
final class LeaderTraps {
  static final String ROLE = "trap-role";

  private LeaderTraps() {}

  /** The contenders of one run, by id. */
  record Contenders(
      TrapRun run, String role, Map<String, TrapClient> clients, Map<String, Leadership> leads) {
    static Contenders of(TrapRun run, String role, String... ids) {
      Contenders contenders =
          new Contenders(run, role, new LinkedHashMap<>(), new LinkedHashMap<>());
      for (String id : ids) {
        contenders.add(run.client(id));
      }
      return contenders;
    }

    /** {@code client} contends too. */
    Leadership add(TrapClient client) {
      Leadership leadership = run.contend(client, role);
      clients.put(client.id(), client);
      leads.put(client.id(), leadership);
      return leadership;
    }

    /** The one contender that holds a valid lease now, if exactly one does. */
    Optional<String> leader() {
      List<String> valid =
          leads.entrySet().stream()
              .filter(e -> e.getValue().currentLease().isPresent())
              .map(Map.Entry::getKey)
              .toList();
      return valid.size() == 1 ? Optional.of(valid.get(0)) : Optional.empty();
    }

    /**
     * After a fault: one leader within the bound, with an epoch above {@code before}; and one latch
     * node per contender, each of its current session.
     *
     * @return the leader's id, if there is one
     */
    Optional<String> recovered(String what, long before) {
      Optional<String> leader = Optional.empty();
      if (run.await(what + ": one leader", () -> leader().isPresent())) {
        leader = leader();
        long epoch =
            leader.flatMap(id -> leads.get(id).currentLease()).map(Lease::epoch).orElse(before + 1);
        if (epoch <= before) {
          run.violation(
              Trap.EPOCH_NOT_RAISED,
              what + ": " + leader.orElse("?") + " leads with epoch " + epoch + " after " + before);
        }
      }
      if (!run.await(
          what + ": one latch node per contender, each of its current session",
          () -> run.latchNodesAreLive(role, clients.values()))) {
        run.violation(Trap.STUCK, what + ": " + nodes());
      }
      return leader;
    }

    /** The latch nodes as ZooKeeper holds them, and each contender's session, in words. */
    String nodes() {
      StringBuilder text = new StringBuilder("latch nodes ");
      try {
        text.append(run.children(ZkLayout.leaders(role)));
      } catch (Exception e) {
        text.append("unreadable (").append(e).append(')');
      }
      clients.forEach(
          (id, client) ->
              text.append(", ")
                  .append(id)
                  .append("'s session ")
                  .append(client.sessionId())
                  .append(leads.get(id).currentLease().isPresent() ? " (leading)" : ""));
      return text.toString();
    }

    /** The leader resigns: another contender must win (no contender stuck as a non-leader). */
    void handOver(String what) throws Exception {
      Optional<String> leader = leader();
      if (leader.isEmpty()) {
        return;
      }
      long before = run.epoch(role);
      leads.get(leader.get()).resign();
      run.await(
          what + ": another contender takes over from " + leader.get(),
          () -> leader().filter(id -> !id.equals(leader.get())).isPresent());
      recovered(what + " after the hand-over", before);
    }
  }

  /**
   * CURATOR-696 (Curator 5.4 to 5.6): after its session expired while ZooKeeper was out of reach, a
   * reconnected latch found its old node still listed and declared itself leader with it; the
   * server then deleted the expired node, and another contender, seeing no node before its own, led
   * too.
   *
   * <p>Provoked: the leader's traffic (in odd rounds every contender's: ZooKeeper "offline") is cut
   * for the session timeout -300 ms to +700 ms, so some rounds restore it just before the expiry
   * and some just after, when the expired node may still be seen. Would fail if a latch took an
   * expired node for its own: two contenders would believe they lead ({@code overlap}), or the
   * latch's node would not be of its current session ({@code stuck} on live latch nodes).
   */
  static void expiredLatchNode(TrapRun run) throws Exception {
    Contenders c = Contenders.of(run, ROLE, "a", "b");
    Optional<String> leader = c.recovered("the start", 0);
    for (int round = 1; round <= run.settings.rounds(); round++) {
      String what = "round " + round;
      String id = leader.orElse("a");
      List<TrapClient> cut =
          round % 2 == 1 ? List.copyOf(c.clients().values()) : List.of(c.clients().get(id));
      long before = run.epoch(ROLE);
      Map<String, Long> sessions = new LinkedHashMap<>();
      cut.forEach(client -> sessions.put(client.id(), client.sessionId()));
      Duration length = run.jitter(run.session(), -300, 700);
      cut.forEach(TrapClient::cut);
      TrapRun.park(length);
      cut.forEach(TrapClient::restore);
      leader = c.recovered(what, before);
      for (TrapClient client : cut) {
        run.await(what + ": " + client.id() + " connected", () -> client.sessionId() != 0);
        run.count(
            client.sessionId() == sessions.get(client.id())
                ? "cuts the session outlived"
                : "cuts past the session (expired)");
      }
    }
    c.handOver("the end");
  }

  /**
   * CURATOR-653: while the ensemble switched its own leader, every client was suspended and
   * reconnected; one latch deleted its old node and made a new one while another, seeing the old
   * one gone, took leadership, and both ended up leading.
   *
   * <p>Provoked: the ZooKeeper leader (found by {@code srvr}) is stopped, so the other two elect a
   * new one while three contenders reconnect and contend again; in half the rounds the new leader
   * is stopped too as soon as it leads (after the first is back), a second switch while the
   * contenders are still re-contending. Would fail on a double leader ({@code overlap}), a leader
   * with an old epoch, or a contender left without its latch node.
   */
  static void ensembleLeaderSwitch(TrapRun run) throws Exception {
    Contenders c = Contenders.of(run, ROLE, "a", "b", "c");
    c.recovered("the start", 0);
    for (int round = 1; round <= run.settings.rounds(); round++) {
      String what = "round " + round;
      long before = run.epoch(ROLE);
      ServerHolder first = new ServerHolder();
      if (!run.await(what + ": a ZooKeeper leader", () -> first.set(run.zookeeperLeader()))) {
        continue;
      }
      first.node.stop();
      if (run.random.nextBoolean()) {
        ServerHolder second = new ServerHolder();
        run.await(what + ": a new ZooKeeper leader", () -> second.set(run.zookeeperLeader()));
        first.node.start();
        if (second.node != null) {
          second.node.stop();
          TrapRun.park(run.jitter(Duration.ZERO, 0, 1000));
          second.node.start();
          run.count("double switches");
        }
      } else {
        TrapRun.park(run.jitter(Duration.ZERO, 500, 2000));
        first.node.start();
      }
      run.count("ZooKeeper leader stopped");
      c.recovered(what, before);
    }
    c.handOver("the end");
  }

  /** The server found by a bounded wait. */
  private static final class ServerHolder {
    ZooKeeperNode node;

    boolean set(Optional<ZooKeeperNode> found) {
      node = found.orElse(null);
      return node != null;
    }
  }

  /**
   * CURATOR-620: two RECONNECTED events close together each started a latch reset; the first one's
   * stale check of the children, answered after the second reset, made the latch leader beside
   * another one (or left it waiting on a node that was gone).
   *
   * <p>Provoked: the leader's traffic (in even rounds both contenders') is cut for 50 to 300 ms and
   * restored; as soon as Curator has said RECONNECTED it is cut and restored again, so a second
   * RECONNECTED follows the first within about a second, on the same session. Would fail on a
   * double leader, a new term without a greater epoch, a contender with no latch node or two, or
   * (at the end) a contender that cannot take over when the leader resigns.
   */
  static void quickReconnects(TrapRun run) throws Exception {
    Contenders c = Contenders.of(run, ROLE, "a", "b");
    Optional<String> leader = c.recovered("the start", 0);
    AtomicLong closest = new AtomicLong(Long.MAX_VALUE);
    for (int round = 1; round <= run.settings.rounds(); round++) {
      String what = "round " + round;
      String id = leader.orElse("a");
      List<TrapClient> targets =
          round % 2 == 0 ? List.copyOf(c.clients().values()) : List.of(c.clients().get(id));
      long before = run.epoch(ROLE);
      long first = 0;
      for (int twice = 1; twice <= 2; twice++) {
        Map<String, Integer> reconnects = new LinkedHashMap<>();
        targets.forEach(t -> reconnects.put(t.id(), t.reconnects()));
        targets.forEach(TrapClient::cut);
        TrapRun.park(run.jitter(Duration.ZERO, 50, 300));
        targets.forEach(TrapClient::restore);
        run.await(
            what + ": RECONNECTED " + twice,
            () -> targets.stream().allMatch(t -> t.reconnects() > reconnects.get(t.id())));
        if (twice == 1) {
          first = System.nanoTime();
        } else {
          closest.accumulateAndGet((System.nanoTime() - first) / 1_000_000, Math::min);
        }
      }
      run.count("double reconnects");
      leader = c.recovered(what, before);
    }
    run.figure("closest two RECONNECTED events (ms)", closest.get());
    c.handOver("the end");
  }
}
