package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.Fuzz;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.ZooKeeperTree;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input at scale from behind Pipekeeper's back: a raw ZooKeeper client writes seeded random
 * nodes all over {@code /pipekeeper/CLUSTER} (members, leaders, epochs, locks, units, assignments,
 * owners, drains, health, alerts, config, applied records, retired roles; wrong JSON, wrong types,
 * empty and near-1 MiB values, unexpected children, good nodes overwritten). After each write every
 * listing and view still answers, or refuses in one line of a known class; the good entries written
 * through Pipekeeper are still listed; a config view keeps its last good value and flags the key.
 * {@code -Dfuzz.seed=N} replays, {@code -Dfuzz.runs=N} makes it longer.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ForeignNodesFuzzIT {
  static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  static final ObjectMapper JSON = new ObjectMapper();
  static final String G = "g";

  /** Where a foreign node goes: a folder Pipekeeper lists, and whether to overwrite a good one. */
  static final List<String> FOLDERS =
      List.of(
          ZkLayout.members(G),
          ZkLayout.MEMBERS,
          ZkLayout.leaders("r"),
          ZkLayout.LEADERS,
          ZkLayout.EPOCHS,
          ZkLayout.lock("l"),
          ZkLayout.LOCKS,
          ZkLayout.units(G),
          ZkLayout.UNITS,
          ZkLayout.ASSIGNMENTS,
          ZkLayout.ASSIGNMENT_CHANGES,
          ZkLayout.owners(G),
          ZkLayout.drains(G),
          ZkLayout.health(G),
          ZkLayout.HEALTH,
          ZkLayout.ALERTS_ACTIVE,
          ZkLayout.ALERTS_HISTORY,
          ZkLayout.ALERTS_ROSTER,
          ZkLayout.config("global"),
          ZkLayout.CONFIG,
          ZkLayout.configSchemas("global"),
          ZkLayout.CONFIG_APPLIED,
          ZkLayout.ROLES_RETIRED,
          ZkLayout.membersLeft(G));

  /** Nodes written through Pipekeeper, which get unexpected children. */
  static final List<String> GOOD_NODES =
      List.of(
          ZkLayout.configKey("global", "ok"),
          ZkLayout.unit(G, "u1"),
          ZkLayout.assignment(G),
          ZkLayout.assignmentChange(G),
          ZkLayout.epoch("r"),
          ZkLayout.member(G, "m1"),
          ZkLayout.health(G, "m1"),
          ZkLayout.config("global") + "/" + ZkLayout.COMMIT);

  @Test
  void everyListingAnswersWhateverARawClientWrites(TestCluster cluster) throws Exception {
    Fuzz fuzz = Fuzz.start("foreign nodes", 120);
    String root = ZkLayout.root(cluster.cluster());
    try (Pipekeeper pk = Clients.connect(cluster, "good");
        ZooKeeperTree tree = ZooKeeperTree.connect(cluster.zkConnect())) {
      Scope global = Scope.global();
      pk.config().set(global, "ok", JSON.readTree("1"), ChangeOptions.by("setup"));
      Member member = pk.membership().join(G, MemberInfo.defaults().id("m1"));
      Leadership leadership = pk.leadership("r").start();
      Lease lease = leadership.awaitLease(BOUND).orElseThrow();
      LockHandle lock = pk.locks().mutex("l").acquire(BOUND);
      pk.workUnits(G).put(WorkUnit.of("u1"));
      pk.assignments(G).publish(lease, Map.of("u1", "m1"));
      HealthPublication health = pk.health().publish(G, Duration.ofMillis(200), () -> report("m1"));
      await().atMost(BOUND).until(() -> pk.health().reports(G).size() == 1);
      List<String> written = new ArrayList<>();
      try (ConfigView view = pk.config().view(List.of(global));
          GroupView group = pk.membership().watch(G)) {
        fuzz.run(
            run -> {
              String path = writeForeign(fuzz, tree.client(), root, written);
              String what = "after a raw write at " + path;
              listingsAnswer(pk, what);
              assertThat(pk.inspector().members(G))
                  .as(what)
                  .extracting(MemberRecord::id)
                  .contains("m1");
              assertThat(pk.workUnits(G).list()).as(what).extracting(WorkUnit::name).contains("u1");
              assertThat(group.members()).as(what).extracting(MemberRecord::id).contains("m1");
              assertThat(view.values().get("ok")).as(what).isNotNull();
            });
        // The good key overwritten behind Pipekeeper's back with what is not JSON: the view keeps
        // its last good value and flags the key; the listing says why it skips it.
        tree.client()
            .setData(root + ZkLayout.configKey("global", "ok"), new byte[] {'{', 0, 1}, -1);
        await()
            .atMost(BOUND)
            .untilAsserted(
                () -> {
                  assertThat(view.lastKnownGoodKeys()).contains("ok");
                  assertThat(view.values().get("ok")).isNotNull();
                });
        assertThat(pk.config().listing(global).skipped())
            .anySatisfy(s -> assertThat(s.name()).isEqualTo("ok"));
      }
      health.close();
      lock.close();
      leadership.close();
      member.close();
      System.out.println("fuzz foreign nodes: " + written.size() + " raw writes, all read past");
    }
  }

  /**
   * An epoch node overwritten with garbage: the role is listed with its problem (its epoch unknown)
   * beside the other roles, rather than the whole listing refused.
   */
  @Test
  void aGarbageEpochIsListedWithItsProblemBesideTheOtherRoles(TestCluster cluster)
      throws Exception {
    String root = ZkLayout.root(cluster.cluster());
    try (Pipekeeper pk = Clients.connect(cluster, "good");
        ZooKeeperTree tree = ZooKeeperTree.connect(cluster.zkConnect());
        Leadership broken = pk.leadership("broken").start();
        Leadership fine = pk.leadership("fine").start()) {
      broken.awaitLease(BOUND).orElseThrow();
      fine.awaitLease(BOUND).orElseThrow();
      tree.client()
          .setData(root + ZkLayout.epoch("broken"), "x\n1".getBytes(StandardCharsets.UTF_8), -1);

      List<RoleInfo> roles = pk.inspector().roles();

      assertThat(roles).extracting(RoleInfo::role).containsExactly("broken", "fine");
      assertThat(roles.get(0).problem())
          .hasValueSatisfying(
              problem -> assertThat(problem).contains("not a number", "'x").doesNotContain("\n"));
      assertThat(roles.get(0).epoch()).isZero();
      assertThat(roles.get(0).leader()).contains("good");
      assertThat(roles.get(1).problem()).isEmpty();
      assertThat(roles.get(1).epoch()).isPositive();
    }
  }

  /** Every read the CLI and the console make answers, or refuses in one line of a known class. */
  static void listingsAnswer(Pipekeeper pk, String what) {
    List<Supplier<Object>> reads =
        List.of(
            () -> pk.inspector().groups(),
            () -> pk.inspector().members(G),
            () -> pk.inspector().memberListing(G),
            () -> pk.inspector().workGroups(),
            () -> pk.inspector().roles(),
            () -> pk.inspector().locks(),
            () -> pk.membership().groups(),
            () -> pk.membership().members(G),
            () -> pk.workUnits(G).list(),
            () -> pk.workUnits(G).get("u1"),
            () -> pk.assignments(G).current(),
            () -> pk.assignments(G).status(),
            () -> pk.assignments(G).drained(),
            () -> pk.health().groups(),
            () -> pk.health().reports(G),
            () -> pk.alerts().active(),
            () -> pk.alerts().history(50),
            () -> pk.config().listing(Scope.global()),
            () -> pk.config().scopes(),
            () -> pk.config().applied(),
            () -> pk.config().history(Scope.global(), "ok"),
            () -> pk.config().get(Scope.global(), "ok").map(ConfigEntry::value));
    for (int i = 0; i < reads.size(); i++) {
      try {
        assertThat(reads.get(i).get()).as("%s: read %d", what, i).isNotNull();
      } catch (RuntimeException refused) {
        // no read here takes input that could be bad: a refusal as bad input blames the caller
        // for what a raw client wrote
        assertThat(ErrorClass.of(refused))
            .as("%s: read %d: %s", what, i, refused)
            .isNotIn(ErrorClass.INTERNAL, ErrorClass.BAD_INPUT);
        assertThat(refused.getMessage())
            .as("%s: read %d: one line", what, i)
            .isNotBlank()
            .doesNotContain("\n")
            .hasSizeLessThan(2000);
      }
    }
  }

  /** Writes one hostile node with the raw client and returns its path (relative to the root). */
  static String writeForeign(Fuzz fuzz, ZooKeeper zk, String root, List<String> written)
      throws Exception {
    byte[] data = fuzz.nodeData();
    String path;
    switch (fuzz.random().nextInt(10)) {
      case 0 ->
          // a good node's data overwritten: the assignment, an epoch
          path =
              fuzz.pick(ZkLayout.assignment(G), ZkLayout.assignmentChange(G), ZkLayout.epoch("r"));
      case 1, 2 -> {
        // an unexpected child, under a good node or a foreign one
        List<String> parents = new ArrayList<>(written);
        parents.addAll(GOOD_NODES);
        path = fuzz.pick(parents) + "/" + child(fuzz);
      }
      default -> path = fuzz.pick(FOLDERS) + "/" + child(fuzz);
    }
    String full = root + path;
    try {
      create(zk, full, data);
    } catch (KeeperException.NoNodeException | KeeperException.NoChildrenForEphemeralsException e) {
      // the chosen parent went meanwhile (its session ended, or Pipekeeper removed it): elsewhere
      String gone = path;
      written.removeIf(p -> gone.startsWith(p + "/"));
      return writeForeign(fuzz, zk, root, written);
    }
    if (data.length > 64 * 1024) {
      zk.setData(full, new byte[0], -1); // keep the tree small for the next reads
    } else if (!GOOD_NODES.contains(path) && !written.contains(path)) {
      written.add(path);
    }
    return path;
  }

  /** A node name ZooKeeper takes (it refuses control characters, surrogates, "." and ".."). */
  private static String child(Fuzz fuzz) {
    String name = fuzz.chance(70) ? fuzz.name() : fuzz.string(12);
    StringBuilder safe = new StringBuilder();
    for (char c : name.toCharArray()) {
      boolean allowed =
          (c > 0x1f && c < 0x7f && c != '/')
              || (c > 0x9f && c < 0xd800)
              || (c > 0xf8ff && c < 0xfff0);
      safe.append(allowed ? c : '_');
    }
    String out = safe.length() > 200 ? safe.substring(0, 200) : safe.toString();
    if (out.isEmpty() || out.equals(".") || out.equals("..") || out.equals("zookeeper")) {
      return "n" + fuzz.random().nextInt(1000);
    }
    return out;
  }

  private static void create(ZooKeeper zk, String path, byte[] data) throws Exception {
    try {
      zk.setData(path, data, -1);
    } catch (KeeperException.NoNodeException absent) {
      String parent = path.substring(0, path.lastIndexOf('/'));
      if (zk.exists(parent, false) == null) {
        create(zk, parent, new byte[0]);
      }
      try {
        zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException raced) {
        zk.setData(path, data, -1);
      } catch (KeeperException.NoChildrenForEphemeralsException ephemeral) {
        // a child of an ephemeral node cannot be made: nothing written
      }
    }
  }

  private static HealthReport report(String member) {
    return new HealthReport(
        G, member, "RUNNING", 1, 0, 0, 0, 0, null, Map.of(), Map.of(), List.of(), Instant.now());
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
