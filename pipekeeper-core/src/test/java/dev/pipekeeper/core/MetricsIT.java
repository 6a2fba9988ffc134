package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The coordination meters of a connection, against a real ZooKeeper. */
@ExtendWith(EmbeddedClusterExtension.class)
class MetricsIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final Duration SESSION = Duration.ofSeconds(2);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private Pipekeeper connect(String zookeeper, TestCluster cluster, String identity) {
    return Pipekeeper.builder()
        .zookeeper(zookeeper)
        .cluster(cluster.cluster())
        .identity(identity)
        .sessionTimeout(SESSION)
        .connectionTimeout(Duration.ofSeconds(5))
        .metrics(registry)
        .build();
  }

  @Test
  void aGrantShowsLeaderAndEpochAndATakeoverShowsTheNextEpoch(TestCluster cluster) {
    assertThat(registry.getMeters()).isEmpty();
    try (Pipekeeper a = connect(cluster.zkConnect(), cluster, "a");
        Pipekeeper b = connect(cluster.zkConnect(), cluster, "b")) {
      assertThat(registry.find("pipekeeper.zookeeper.connected").gauges())
          .as("two connections to one registry do not share a meter")
          .hasSize(2)
          .allMatch(g -> g.getId().getTag("cluster").equals(cluster.cluster()));
      Set<Meter.Id> connectionsOnly = ids();

      Leadership la = a.leadership("scheduler").start();
      Lease first = la.awaitLease(BOUND).orElseThrow();
      Leadership lb = b.leadership("scheduler").start();
      assertThat(gauge("pipekeeper.leadership.leader", "a", "role", "scheduler")).isEqualTo(1);
      assertThat(gauge("pipekeeper.leadership.epoch", "a", "role", "scheduler"))
          .isEqualTo(first.epoch());
      assertThat(counter("pipekeeper.leadership.grants", "a", "role", "scheduler")).isEqualTo(1);
      assertThat(gauge("pipekeeper.leadership.leader", "b", "role", "scheduler")).isZero();
      assertThat(gauge("pipekeeper.leadership.epoch", "b", "role", "scheduler")).isZero();

      la.close(); // the second contender takes over with the next epoch
      await()
          .atMost(BOUND)
          .until(() -> gauge("pipekeeper.leadership.leader", "b", "role", "scheduler") == 1);
      assertThat(gauge("pipekeeper.leadership.epoch", "b", "role", "scheduler"))
          .isEqualTo(first.epoch() + 1);
      assertThat(registry.find("pipekeeper.leadership.leader").tag("identity", "a").meters())
          .as("a closed contender's meters are removed")
          .isEmpty();

      // Two contenders for one role on one connection share its meters, and the meters go with
      // the last of them.
      Leadership second = b.leadership("scheduler").start();
      assertThat(gauge("pipekeeper.leadership.leader", "b", "role", "scheduler")).isEqualTo(1);
      lb.close();
      await()
          .atMost(BOUND)
          .until(() -> gauge("pipekeeper.leadership.leader", "b", "role", "scheduler") == 1);
      assertThat(gauge("pipekeeper.leadership.epoch", "b", "role", "scheduler"))
          .isEqualTo(first.epoch() + 2);
      second.close();
      assertThat(ids()).isEqualTo(connectionsOnly);
    }
    assertThat(registry.getMeters()).as("closing the connections removes the rest").isEmpty();
  }

  @Test
  void configVersionsOwnedUnitsMembersAndLocksAreGaugedAndGoneAfterClose(TestCluster cluster)
      throws Exception {
    Scope scope = Scope.pipeline("enricher");
    try (Pipekeeper pk = connect(cluster.zkConnect(), cluster, "m1");
        Pipekeeper admin = connect(cluster.zkConnect(), cluster, "admin");
        CuratorFramework raw =
            CuratorFrameworkFactory.builder()
                .connectString(cluster.zkConnect())
                .namespace(ZkLayout.namespace(cluster.cluster()))
                .retryPolicy(new RetryOneTime(100))
                .build()) {
      raw.start();
      Set<Meter.Id> connectionsOnly = ids();

      ConfigView view = pk.config().view("enricher", "m1");
      assertThat(gauge("pipekeeper.config.applied.version", "m1", "scope", "pipeline/enricher"))
          .isZero();
      assertThat(gauge("pipekeeper.config.applied.version", "m1", "scope", "global")).isZero();
      assertThat(gauge("pipekeeper.config.applied.version", "m1", "scope", "member/m1")).isZero();
      ConfigCommit commit =
          admin
              .config()
              .set(scope, "enricher.threshold", IntNode.valueOf(5), ChangeOptions.by("t"));
      await()
          .atMost(BOUND)
          .until(
              () ->
                  gauge("pipekeeper.config.applied.version", "m1", "scope", "pipeline/enricher")
                      == commit.scopeVersion());
      assertThat(gauge("pipekeeper.config.last.known.good", "m1", "scope", "pipeline/enricher"))
          .isZero();
      // written behind Pipekeeper's back: not JSON, so the view keeps the last good value
      raw.setData()
          .forPath(
              ZkLayout.configKey(scope.path(), "enricher.threshold"),
              "{not json".getBytes(StandardCharsets.UTF_8));
      await()
          .atMost(BOUND)
          .until(
              () ->
                  gauge("pipekeeper.config.last.known.good", "m1", "scope", "pipeline/enricher")
                      == 1);

      GroupWorker worker =
          pk.worker(
              "crawlers",
              MemberInfo.defaults(),
              new Idle(),
              WorkerOptions.defaults().withDebounce(Duration.ofMillis(100)));
      assertThat(gauge("pipekeeper.membership.joined", "m1", "group", "crawlers")).isEqualTo(1);
      for (String unit : new String[] {"u1", "u2", "u3"}) {
        admin.workUnits("crawlers").put(WorkUnit.of(unit));
      }
      assertThat(worker.awaitRunning(running -> running.size() == 3, BOUND)).isTrue();
      assertThat(gauge("pipekeeper.units.owned", "m1", "group", "crawlers")).isEqualTo(3);
      assertThat(gauge("pipekeeper.leadership.leader", "m1", "role", "crawlers.assigner"))
          .as("the group's assigner role is a contender like any other")
          .isEqualTo(1);

      assertThat(gauge("pipekeeper.locks.held", "m1")).isZero();
      LockHandle lock = pk.locks().mutex("nightly").tryAcquire(BOUND).orElseThrow();
      assertThat(gauge("pipekeeper.locks.held", "m1")).isEqualTo(1);
      lock.close();
      assertThat(gauge("pipekeeper.locks.held", "m1")).isZero();

      worker.close();
      view.close();
      assertThat(ids()).as("closed primitives leave no meter").isEqualTo(connectionsOnly);
    }
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void aConnectionLossShowsDisconnectedThenConnectedAndALostSessionIsCounted(TestCluster cluster) {
    int port = cluster.zookeeper().servers().get(0).clientPort();
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", port);
        Pipekeeper pk = connect(proxy.address(), cluster, "m1")) {
      assertThat(gauge("pipekeeper.zookeeper.connected", "m1")).isEqualTo(1);
      assertThat(counter("pipekeeper.zookeeper.connection.events", "m1", "state", "CONNECTED"))
          .isEqualTo(1);
      assertThat(
              registry
                  .get("pipekeeper.zookeeper.session.timeout")
                  .tag("identity", "m1")
                  .timeGauge()
                  .value(TimeUnit.MILLISECONDS))
          .isEqualTo(SESSION.toMillis());
      Leadership leadership = pk.leadership("scheduler").start();
      leadership.awaitLease(BOUND).orElseThrow();

      proxy.cut(); // shorter than the session
      await().atMost(BOUND).until(() -> gauge("pipekeeper.zookeeper.connected", "m1") == 0);
      assertThat(gauge("pipekeeper.leadership.leader", "m1", "role", "scheduler"))
          .as("a suspended lease is not valid")
          .isZero();
      proxy.restore();
      await().atMost(BOUND).until(() -> gauge("pipekeeper.zookeeper.connected", "m1") == 1);
      assertThat(counter("pipekeeper.zookeeper.connection.events", "m1", "state", "SUSPENDED"))
          .isGreaterThanOrEqualTo(1);
      assertThat(counter("pipekeeper.zookeeper.connection.events", "m1", "state", "RECONNECTED"))
          .isGreaterThanOrEqualTo(1);
      await()
          .atMost(BOUND)
          .until(() -> gauge("pipekeeper.leadership.leader", "m1", "role", "scheduler") == 1);
      double epochAfterCut = gauge("pipekeeper.leadership.epoch", "m1", "role", "scheduler");
      assertThat(epochAfterCut).as("a reconnect after a suspension begins a new term").isEqualTo(2);

      // The cut may have outlasted the session on a slow machine: count from here.
      double lost = counter("pipekeeper.zookeeper.session.expirations", "m1");
      proxy.blackhole(); // past the session: Curator gives the session up (LOST)
      await()
          .atMost(BOUND)
          .until(() -> counter("pipekeeper.zookeeper.session.expirations", "m1") == lost + 1);
      assertThat(gauge("pipekeeper.zookeeper.connected", "m1")).isZero();
      assertThat(counter("pipekeeper.zookeeper.connection.events", "m1", "state", "LOST"))
          .isEqualTo(lost + 1);
      proxy.restore();
      await().atMost(BOUND).until(() -> gauge("pipekeeper.zookeeper.connected", "m1") == 1);
      await()
          .atMost(BOUND)
          .until(() -> gauge("pipekeeper.leadership.leader", "m1", "role", "scheduler") == 1);
      assertThat(gauge("pipekeeper.leadership.epoch", "m1", "role", "scheduler"))
          .as("a new term after the lost session")
          .isGreaterThan(epochAfterCut);
    }
    assertThat(registry.getMeters()).isEmpty();
  }

  private Set<Meter.Id> ids() {
    return registry.getMeters().stream().map(Meter::getId).collect(Collectors.toSet());
  }

  /** The gauge's value, NaN while there is no such gauge. */
  private double gauge(String name, String identity, String... tags) {
    Gauge gauge = registry.find(name).tag("identity", identity).tags(tags).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  /** The counter's count, NaN while there is no such counter. */
  private double counter(String name, String identity, String... tags) {
    Counter counter = registry.find(name).tag("identity", identity).tags(tags).counter();
    return counter == null ? Double.NaN : counter.count();
  }

  /** A handler whose units need no work. */
  private static final class Idle implements UnitHandler {
    @Override
    public void start(UnitOwnership unit) {}

    @Override
    public void stop(UnitOwnership unit) {}
  }
}
