package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;

/**
 * Cost per member (docs/design.md §7, P7: at most 5 znodes and 20 watches per member per group),
 * read from the server itself ({@code mntr}, {@code wchs}; see {@link MemberCost}).
 *
 * <p>How: {@code members} members, each on its own {@link Pipekeeper} connection, each in {@code
 * groups} groups; in each group a member joins ({@code membership().join}), watches the group
 * ({@code membership().watch}, a {@link GroupView}) and contends for the group's role ({@code
 * leadership(role).start()}). Counts are read when the server is fresh, after the first member
 * (which also creates the group's shared nodes) and after the last, each once it has settled.
 * Reported per member per group: the marginal cost, {@code (after last − after first) / ((members −
 * 1) × groups)}, which is what one more member adds, and the average with the shared nodes, {@code
 * (after last − fresh) / (members × groups)}. The same is measured, on a fresh server of its own,
 * for the raw Curator recipes Pipekeeper builds on ({@code PersistentNode}, {@code CuratorCache},
 * {@code LeaderLatch}) as a reference.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.MemberCostBench -Dbench.args="members=50 groups=1"}.
 */
public final class MemberCostBench {
  private static final double ZNODE_TARGET = 5;
  private static final double WATCH_TARGET = 20;

  private MemberCostBench() {}

  /** The counts of one side at its three moments, and one member's own watches and ephemerals. */
  private record Measured(
      MemberCost fresh,
      MemberCost first,
      MemberCost all,
      List<String> sampleWatches,
      List<String> sampleEphemerals) {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int members = settings.integer("members", 50, 2);
    int groups = settings.integer("groups", 1, 1);
    int sessionMs = settings.integer("sessionMs", 10_000, 1000);
    Measured pipekeeper;
    Measured curator;
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings)) {
      settings.checkNoneUnknown();
      pipekeeper = measurePipekeeper(zk, members, groups, sessionMs);
    }
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings)) {
      curator = measureCurator(zk, members, groups, sessionMs);
    }
    double units = (members - 1.0) * groups;
    double all = (double) members * groups;
    MemberCost pkMarginal = pipekeeper.all().minus(pipekeeper.first());
    MemberCost pkAverage = pipekeeper.all().minus(pipekeeper.fresh());
    MemberCost curMarginal = curator.all().minus(curator.first());
    MemberCost curAverage = curator.all().minus(curator.fresh());
    StringBuilder report = new StringBuilder(Environment.header("MemberCostBench", settings));
    report.append(
        "| per member per group | Pipekeeper, marginal | Pipekeeper, with shared nodes"
            + " | Curator recipes, marginal | Curator recipes, with shared nodes | target"
            + " | Pipekeeper marginal / target |\n");
    report.append("| --- | --- | --- | --- | --- | --- | --- |\n");
    report.append(
        row(
            "znodes",
            pkMarginal.znodes() / units,
            pkAverage.znodes() / all,
            curMarginal.znodes() / units,
            curAverage.znodes() / all,
            ZNODE_TARGET));
    report.append(
        row(
            "watches (`wchs`)",
            pkMarginal.watches() / units,
            pkAverage.watches() / all,
            curMarginal.watches() / units,
            curAverage.watches() / all,
            WATCH_TARGET));
    report.append(
        row(
            "ephemeral znodes",
            pkMarginal.ephemerals() / units,
            pkAverage.ephemerals() / all,
            curMarginal.ephemerals() / units,
            curAverage.ephemerals() / all,
            Double.NaN));
    report.append(
        String.format(
            "%nServer counts (znodes / ephemerals / watches): Pipekeeper fresh %s, after the first"
                + " member %s, after all %s; Curator fresh %s, after the first %s, after all %s.%n",
            text(pipekeeper.fresh()),
            text(pipekeeper.first()),
            text(pipekeeper.all()),
            text(curator.fresh()),
            text(curator.first()),
            text(curator.all())));
    report.append(
        String.format(
            "The second member's session (`wchc`, `dump`): Pipekeeper watches %s, ephemerals %s;"
                + " Curator watches %s, ephemerals %s.%n",
            pipekeeper.sampleWatches(),
            pipekeeper.sampleEphemerals(),
            curator.sampleWatches(),
            curator.sampleEphemerals()));
    System.out.print(report);
  }

  private static Measured measurePipekeeper(
      EmbeddedZooKeeper zk, int members, int groups, int sessionMs) throws Exception {
    FourLetterWords server = new FourLetterWords("127.0.0.1", zk.server(1).clientPort());
    MemberCost fresh = MemberCost.settled(server);
    MemberCost first = null;
    List<Pipekeeper> connections = new ArrayList<>();
    List<GroupView> views = new ArrayList<>();
    List<Leadership> leaderships = new ArrayList<>();
    try {
      for (int i = 0; i < members; i++) {
        Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(zk.connectString())
                .cluster("membercost")
                .identity("member-" + i)
                .sessionTimeout(Duration.ofMillis(sessionMs))
                .build();
        connections.add(pk);
        for (int g = 0; g < groups; g++) {
          pk.membership().join("group-" + g, MemberInfo.defaults().id("m-" + i));
          views.add(pk.membership().watch("group-" + g));
          leaderships.add(pk.leadership("role-" + g).start());
        }
        if (i == 0) {
          first = MemberCost.settled(server);
        }
      }
      for (GroupView view : views) {
        if (!view.awaitMembers(list -> list.size() == members, Duration.ofSeconds(30))) {
          throw new IllegalStateException(view.group() + " did not see all members");
        }
      }
      awaitOneLeaderPerGroup(leaderships, groups);
      MemberCost all = MemberCost.settled(server);
      long sample = connections.get(1).sessionId();
      return new Measured(fresh, first, all, server.watchesOf(sample), server.ephemeralsOf(sample));
    } finally {
      connections.forEach(Pipekeeper::close);
    }
  }

  private static void awaitOneLeaderPerGroup(List<Leadership> leaderships, int groups)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (leaderships.stream().filter(l -> l.currentLease().isPresent()).count() < groups) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not every role got a leader");
      }
      Thread.sleep(20);
    }
  }

  private static Measured measureCurator(
      EmbeddedZooKeeper zk, int members, int groups, int sessionMs) throws Exception {
    FourLetterWords server = new FourLetterWords("127.0.0.1", zk.server(1).clientPort());
    MemberCost fresh = MemberCost.settled(server);
    MemberCost first = null;
    List<CuratorFramework> clients = new ArrayList<>();
    List<AutoCloseable> recipes = new ArrayList<>();
    try {
      for (int i = 0; i < members; i++) {
        CuratorFramework client = CuratorBaseline.client(zk.connectString(), sessionMs);
        clients.add(client);
        for (int g = 0; g < groups; g++) {
          PersistentNode node =
              new PersistentNode(
                  client,
                  CreateMode.EPHEMERAL,
                  false,
                  "/members/group-" + g + "/m-" + i,
                  ("{\"id\":\"m-" + i + "\"}").getBytes(StandardCharsets.UTF_8));
          node.start();
          if (!node.waitForInitialCreate(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("member node not created");
          }
          recipes.add(node);
          CuratorCache cache = CuratorCache.build(client, "/members/group-" + g);
          cache.start();
          recipes.add(cache);
          LeaderLatch latch = new LeaderLatch(client, "/leaders/role-" + g, "m-" + i);
          latch.start();
          recipes.add(latch);
        }
        if (i == 0) {
          first = MemberCost.settled(server);
        }
      }
      MemberCost all = MemberCost.settled(server);
      long sample = clients.get(1).getZookeeperClient().getZooKeeper().getSessionId();
      return new Measured(fresh, first, all, server.watchesOf(sample), server.ephemeralsOf(sample));
    } finally {
      // Last joined first: a latch whose node nobody watches leaves without waking the others.
      for (int i = recipes.size() - 1; i >= 0; i--) {
        recipes.get(i).close();
      }
      clients.forEach(CuratorFramework::close);
    }
  }

  private static String row(
      String what, double pk, double pkAll, double cur, double curAll, double target) {
    boolean hasTarget = !Double.isNaN(target);
    return String.format(
        "| %s | %.2f | %.2f | %.2f | %.2f | %s | %s |%n",
        what,
        pk,
        pkAll,
        cur,
        curAll,
        hasTarget ? String.format("≤ %.0f", target) : "—",
        hasTarget ? String.format("%.2f (%s)", pk / target, pk <= target ? "met" : "missed") : "—");
  }

  private static String text(MemberCost cost) {
    return cost.znodes() + " / " + cost.ephemerals() + " / " + cost.watches();
  }
}
