package dev.pipekeeper.core.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.FaultyClient;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class MembershipIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));

  @Test
  void membersJoinWithMetadataAndOthersSeeEveryChange(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b");
        Pipekeeper observer = Clients.connect(cluster, "observer")) {
      GroupView view = observer.membership().watch("enricher");
      List<String> events = new CopyOnWriteArrayList<>();
      List<String> threads = new CopyOnWriteArrayList<>();
      view.addListener(
          new GroupListener() {
            @Override
            public void memberJoined(MemberRecord member) {
              events.add("joined " + member.id() + " " + member.state());
              threads.add(Thread.currentThread().getName());
            }

            @Override
            public void memberLeft(MemberRecord member) {
              events.add("left " + member.id());
            }

            @Override
            public void memberUpdated(MemberRecord before, MemberRecord after) {
              events.add("updated " + after.id() + " " + before.state() + "->" + after.state());
            }
          });

      Member memberA =
          a.membership()
              .join("enricher", MemberInfo.withCapacity(4).tag("zone", "a").version("1.2.3"));
      Member memberB =
          b.membership().join("enricher", MemberInfo.defaults().initialState(MemberState.STARTING));
      assertThat(view.awaitMembers(m -> m.size() == 2, BOUND)).isTrue();

      MemberRecord seenA = view.members().get(0);
      assertThat(seenA.id()).isEqualTo("a");
      assertThat(seenA.capacity()).isEqualTo(4);
      assertThat(seenA.tags()).containsEntry("zone", "a");
      assertThat(seenA.version()).isEqualTo("1.2.3");
      assertThat(seenA.pid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(seenA.startedAt()).isNotNull();
      assertThat(seenA.state()).isEqualTo(MemberState.RUNNING);

      memberB.setState(MemberState.RUNNING);
      memberA.close();
      await()
          .atMost(BOUND)
          .until(
              () ->
                  events.containsAll(
                      List.of(
                          "joined a RUNNING",
                          "joined b STARTING",
                          "updated b STARTING->RUNNING",
                          "left a")));
      assertThat(threads).allMatch(name -> name.startsWith("pipekeeper-group-enricher"));
      assertThat(observer.membership().members("enricher"))
          .extracting(MemberRecord::id)
          .containsExactly("b");
      assertThat(observer.membership().groups()).contains("enricher");
      assertThat(memberB.isRegistered()).isTrue();
    }
  }

  @Test
  void aLiveMemberIdCannotBeTakenTwice(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      a.membership().join("g", MemberInfo.defaults().id("worker-1"));
      assertThatThrownBy(() -> b.membership().join("g", MemberInfo.defaults().id("worker-1")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage(
              "member id 'worker-1' is already used by a live member of group 'g' (its node"
                  + " outlived a session timeout, so it is no predecessor that died)");
      assertThatThrownBy(() -> b.membership().join("bad/group", MemberInfo.defaults()))
          .isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(() -> MemberInfo.withCapacity(0))
          .isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void aMemberRestartedWithItsIdWhileItsDeadPredecessorsSessionLivesJoinsOnceItExpires(
      TestCluster cluster) {
    try (FaultyClient dead = FaultyClient.connect(cluster, "dead");
        Pipekeeper restarted = Clients.connect(cluster, "restarted")) {
      dead.pk().membership().join("g", MemberInfo.defaults().id("worker-1"));
      long deadSession = dead.pk().sessionId();
      dead.blackhole(); // the process is gone; ZooKeeper keeps its node until the session expires
      Member member = restarted.membership().join("g", MemberInfo.defaults().id("worker-1"));
      assertThat(member.isRegistered()).isTrue();
      assertThat(restarted.membership().members("g"))
          .extracting(MemberRecord::id)
          .containsExactly("worker-1");
      assertThat(restarted.sessionId()).isNotEqualTo(deadSession);
    }
  }

  @Test
  void aMalformedMemberNodeIsSkipped(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "a");
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      pk.membership().join("g", MemberInfo.defaults());
      GroupView view = pk.membership().watch("g");
      raw.create()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(
              ZkLayout.root(cluster.cluster()) + ZkLayout.member("g", "garbage"),
              "not json".getBytes(StandardCharsets.UTF_8));
      assertThat(pk.membership().members("g")).extracting(MemberRecord::id).containsExactly("a");
      assertThat(view.members()).extracting(MemberRecord::id).containsExactly("a");
      MemberListing listing = pk.inspector().memberListing("g");
      assertThat(listing.members()).extracting(MemberRecord::id).containsExactly("a");
      assertThat(listing.skipped())
          .containsExactly(
              new MemberListing.Skipped("garbage", "not a valid member record (JSON)"));
    }
  }

  /**
   * A member's node holds its newest state whatever lands on it later: a state change retried by
   * Curator after a connection loss, or the node's create after a new session, can land after a
   * newer change, as an older record written over it behind its back does here.
   */
  @Test
  void anOlderRecordWrittenOverAMembersNodeIsRestored(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "a");
        Pipekeeper observer = Clients.connect(cluster, "observer");
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      Member member = pk.membership().join("g", MemberInfo.defaults().id("worker-1"));
      String path = ZkLayout.root(cluster.cluster()) + ZkLayout.member("g", "worker-1");
      byte[] starting = raw.getData().forPath(path);
      member.setState(MemberState.DRAINING);
      await().atMost(BOUND).until(() -> state(observer, "worker-1") == MemberState.DRAINING);

      raw.setData().forPath(path, starting);

      await().atMost(BOUND).until(() -> state(observer, "worker-1") == MemberState.DRAINING);
      assertThat(raw.checkExists().forPath(path).getEphemeralOwner()).isEqualTo(pk.sessionId());
    }
  }

  static MemberState state(Pipekeeper reader, String id) {
    return reader.membership().members("g").stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .map(MemberRecord::state)
        .orElse(null);
  }

  @Test
  void closingLeavesNoThreadsOrWatchers(TestCluster cluster) {
    long before = Clients.threadsNamed("pipekeeper-");
    Pipekeeper pk = Clients.connect(cluster, "a");
    pk.membership().join("g", MemberInfo.defaults());
    pk.membership().watch("g");
    pk.close();
    await().atMost(BOUND).until(() -> Clients.threadsNamed("pipekeeper-") <= before);
  }
}
