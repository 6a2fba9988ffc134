package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.health.HealthReports;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.ServerState;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Closing a connection cut off from ZooKeeper (an instance stopped during a network partition) must
 * not wait out the connection timeout and retry policy once per ephemeral node, which took minutes
 * for a member with health and a config view: it is bounded by about one session timeout, leaves no
 * thread, logs no error, and the server still removes the session's nodes.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class CutOffCloseIT {
  private static final Duration SESSION = Duration.ofSeconds(6);
  private static final Duration CONNECTION = Duration.ofSeconds(3);
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));

  @Test
  void aConnectionCutOffFromZooKeeperClosesWithinASessionTimeout(TestCluster cluster)
      throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    long threadsBefore = Clients.threadsNamed("pipekeeper-closing");
    try (TcpProxy proxy =
        TcpProxy.start("127.0.0.1", cluster.zookeeper().servers().get(0).clientPort())) {
      Pipekeeper pk =
          Pipekeeper.builder()
              .zookeeper(proxy.address())
              .cluster(cluster.cluster())
              .identity("w1")
              .sessionTimeout(SESSION)
              .connectionTimeout(CONNECTION)
              .build();
      long session = pk.sessionId();
      pk.membership().join("orders", MemberInfo.defaults());
      pk.health()
          .publish("orders", Duration.ofMillis(200), () -> HealthReports.running("orders", "w1"));
      ConfigView view = pk.config().view("orders", "w1");
      pk.leadership("orders.singleton");
      await()
          .atMost(BOUND)
          .until(() -> ServerState.ephemeralsOf(cluster.zkConnect(), session).size() >= 3);
      assertThat(view.appliedVersions()).isNotEmpty();

      proxy.blackhole();
      await().atMost(BOUND).until(() -> pk.connectionState() != ConnectionState.CONNECTED);
      root.addAppender(logs);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(pk::close);
      // Done as when connected, the three node deletes alone waited 2.5 minutes here.
      closing.get(
          TestTimeouts.scaled(SESSION.plus(CONNECTION).plusSeconds(5)).toMillis(),
          TimeUnit.MILLISECONDS);
      root.detachAppender(logs);

      assertThat(Clients.threadsNamed("pipekeeper-closing")).isEqualTo(threadsBefore);
      assertThat(logs.list)
          .as("expected conditions are not errors")
          .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
      assertThat(logs.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anyMatch(m -> m.contains("cut off from ZooKeeper"));
      // the server removes the session's ephemeral nodes when it expires
      await()
          .atMost(BOUND)
          .until(() -> ServerState.ephemeralsOf(cluster.zkConnect(), session).isEmpty());
    } finally {
      root.detachAppender(logs);
    }
  }
}
