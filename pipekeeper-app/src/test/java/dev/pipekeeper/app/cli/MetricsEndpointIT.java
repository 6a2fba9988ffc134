package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.app.cli.PrometheusText.Sample;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scrape endpoint serves the coordination meters of a connection that records in the global
 * registry (the default), in the Prometheus text format.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class MetricsEndpointIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @Test
  void theScrapeParsesAndHasTheCoordinationMetersWithTheirTags(TestCluster cluster)
      throws Exception {
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(0);
        Pipekeeper pk =
            Pipekeeper.builder()
                .zookeeper(cluster.zkConnect())
                .cluster(cluster.cluster())
                .identity("m1")
                .build()) {
      Leadership leadership = pk.leadership("scheduler").start();
      Lease lease = leadership.awaitLease(BOUND).orElseThrow();
      ConfigView view = pk.config().view("enricher", "m1");
      pk.workUnits("crawlers").put(WorkUnit.of("u1"));
      pk.workUnits("crawlers").put(WorkUnit.of("u2"));
      GroupWorker worker =
          pk.worker(
              "crawlers",
              MemberInfo.defaults(),
              new Idle(),
              WorkerOptions.defaults().withDebounce(Duration.ofMillis(100)));
      assertThat(worker.awaitRunning(running -> running.size() == 2, BOUND)).isTrue();
      pk.locks().mutex("nightly").tryAcquire(BOUND).orElseThrow();
      URI uri = URI.create("http://localhost:" + endpoint.port() + "/metrics");

      // The owned units gauge follows the worker's running set, which awaitRunning saw already.
      List<Sample> samples = PrometheusText.scrape(uri);
      Map<String, String> us = Map.of("cluster", cluster.cluster(), "identity", "m1");
      assertThat(samples)
          .anyMatch(s -> s.is("pipekeeper_zookeeper_connected", us) && s.value() == 1)
          .anyMatch(s -> s.is("pipekeeper_zookeeper_session_timeout_seconds", us) && s.value() > 0)
          .anyMatch(
              s ->
                  s.is(
                          "pipekeeper_zookeeper_connection_events_total",
                          with(us, "state", "CONNECTED"))
                      && s.value() == 1)
          .anyMatch(s -> s.is("pipekeeper_zookeeper_session_expirations_total", us))
          .anyMatch(
              s ->
                  s.is("pipekeeper_leadership_leader", with(us, "role", "scheduler"))
                      && s.value() == 1)
          .anyMatch(
              s ->
                  s.is("pipekeeper_leadership_epoch", with(us, "role", "scheduler"))
                      && s.value() == lease.epoch())
          .anyMatch(
              s ->
                  s.is("pipekeeper_leadership_grants_total", with(us, "role", "scheduler"))
                      && s.value() == 1)
          .anyMatch(
              s ->
                  s.is("pipekeeper_leadership_leader", with(us, "role", "crawlers.assigner"))
                      && s.value() == 1)
          .anyMatch(
              s ->
                  s.is("pipekeeper_config_applied_version", with(us, "scope", "pipeline/enricher")))
          .anyMatch(s -> s.is("pipekeeper_config_applied_version", with(us, "scope", "global")))
          .anyMatch(
              s ->
                  s.is("pipekeeper_config_last_known_good", with(us, "scope", "member/m1"))
                      && s.value() == 0)
          .anyMatch(
              s -> s.is("pipekeeper_units_owned", with(us, "group", "crawlers")) && s.value() == 2)
          .anyMatch(
              s ->
                  s.is("pipekeeper_membership_joined", with(us, "group", "crawlers"))
                      && s.value() == 1)
          .anyMatch(s -> s.is("pipekeeper_locks_held", us) && s.value() == 1)
          .anyMatch(s -> s.is("jvm_memory_used_bytes", Map.of()));

      worker.close();
      view.close();
      leadership.close();
      assertThat(PrometheusText.scrape(uri))
          .as("closed primitives' meters are gone from the scrape")
          .noneMatch(
              s ->
                  s.is("pipekeeper_units_owned", us)
                      || s.is("pipekeeper_leadership_leader", us)
                      || s.is("pipekeeper_config_applied_version", us));
    }
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> all = new HashMap<>(labels);
    all.put(key, value);
    return all;
  }

  /** A handler whose units need no work. */
  private static final class Idle implements UnitHandler {
    @Override
    public void start(UnitOwnership unit) {}

    @Override
    public void stop(UnitOwnership unit) {}
  }
}
