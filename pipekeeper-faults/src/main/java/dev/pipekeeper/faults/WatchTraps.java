package dev.pipekeeper.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.membership.GroupListener;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Watches missing a create and a delete made while the client was disconnected: a ZooKeeper watch
 * fires once and is set again only when the client reads again, so a change made and undone while
 * the client was away, or made before it watched again, is never reported by a careless client: a
 * view keeps a member that left, or a listener never hears of the node created and deleted.
 */
final class WatchTraps {
  static final String GROUP = "trap-group";
  static final String PIPELINE = "trap-pipeline";

  private WatchTraps() {}

  /**
   * Provoked: an observer watches a group ({@code GroupView}, one persistent recursive watch) and a
   * pipeline's configuration ({@code ConfigView}), and builds its own picture of both from their
   * listeners alone. Its traffic is cut, in odd rounds for half the session timeout (the session
   * lives: the same watches must be set again), in even rounds past it (a new session: everything
   * read again). While it is away a writer makes a member join and leave, another join and stay, a
   * key set and deleted, another set and kept. After the restore the view and the pictures built
   * from the listeners must converge to ZooKeeper's state. Would fail if a missed create or delete
   * were never reported, or reported without its undoing ({@code diverged} or {@code stuck}).
   */
  static void missedChanges(TrapRun run) {
    TrapClient observer = run.client("observer");
    TrapClient writer = run.client("writer");
    Pipekeeper pk = writer.pk();
    Scope scope = Scope.pipeline(PIPELINE);
    GroupView view = observer.pk().membership().watch(GROUP);
    Set<String> heardMembers = new ConcurrentSkipListSet<>();
    view.addListener(
        new GroupListener() {
          @Override
          public void memberJoined(MemberRecord member) {
            heardMembers.add(member.id());
          }

          @Override
          public void memberLeft(MemberRecord member) {
            heardMembers.remove(member.id());
          }
        });
    ConfigView config = observer.pk().config().view(List.of(scope));
    Map<String, JsonNode> heardKeys = new ConcurrentHashMap<>();
    config.onBatch(
        change ->
            change
                .changes()
                .forEach(
                    (key, kc) -> {
                      if (kc.newValue().isPresent()) {
                        heardKeys.put(key, kc.newValue().get());
                      } else {
                        heardKeys.remove(key);
                      }
                    }));
    try {
      for (int round = 1; round <= run.settings.rounds(); round++) {
        String what = "round " + round;
        Duration length =
            round % 2 == 1 ? run.session().dividedBy(2) : run.jitter(run.session(), 500, 1500);
        long session = observer.sessionId();
        observer.cut();
        Member gone = pk.membership().join(GROUP, MemberInfo.defaults().id("gone-" + round));
        Member kept = pk.membership().join(GROUP, MemberInfo.defaults().id("kept-" + round));
        gone.close();
        pk.config().set(scope, "gone-" + round, "x", ChangeOptions.by("trap"));
        pk.config().set(scope, "kept-" + round, "v" + round, ChangeOptions.by("trap"));
        pk.config().delete(scope, "gone-" + round, ChangeOptions.by("trap"));
        TrapRun.park(length);
        observer.restore();
        run.await(what + ": the observer reconnected", () -> observer.sessionId() != 0);
        Set<String> members = new TreeSet<>();
        pk.membership().members(GROUP).forEach(m -> members.add(m.id()));
        Map<String, JsonNode> keys = new TreeMap<>();
        for (ConfigEntry entry : pk.config().list(scope)) {
          keys.put(entry.key(), entry.value());
        }
        boolean converged =
            run.await(
                what + ": the observer's views and listeners converge to ZooKeeper's state",
                () ->
                    ids(view.members()).equals(members)
                        && new TreeSet<>(heardMembers).equals(members)
                        && new TreeMap<>(config.values()).equals(keys)
                        && new TreeMap<>(heardKeys).equals(keys));
        if (!converged) {
          run.violation(
              Trap.DIVERGED,
              what
                  + ": ZooKeeper has members "
                  + members
                  + " and keys "
                  + keys.keySet()
                  + "; the view "
                  + ids(view.members())
                  + ", its listener "
                  + new TreeSet<>(heardMembers)
                  + "; the config view "
                  + new TreeSet<>(config.values().keySet())
                  + ", its listener "
                  + new TreeSet<>(heardKeys.keySet()));
        }
        run.count(
            observer.sessionId() == session
                ? "cuts the session outlived"
                : "cuts past the session (expired)");
        if (kept.isRegistered()) {
          run.count("members kept");
        }
        if (!TextNode.valueOf("v" + round).equals(keys.get("kept-" + round))) {
          run.violation(Trap.DIVERGED, what + ": the writer's kept key is not in ZooKeeper");
        }
      }
    } finally {
      view.close();
      config.close();
    }
  }

  private static Set<String> ids(List<MemberRecord> records) {
    Set<String> ids = new TreeSet<>();
    records.forEach(m -> ids.add(m.id()));
    return ids;
  }
}
