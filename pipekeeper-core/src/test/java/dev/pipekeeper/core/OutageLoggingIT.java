package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.health.HealthReports;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A ZooKeeper outage as an operator sees it in the log of a member and of a monitor: one line per
 * state change (suspended, lost, back), not an ERROR with a stack trace every few seconds from the
 * libraries underneath.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class OutageLoggingIT {
  private static final Duration SESSION = Duration.ofSeconds(3);
  private static final Duration OUTAGE = Duration.ofSeconds(20);
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @Test
  void anOutageIsLoggedAsOneLinePerStateChangeWithoutStackTraces(TestCluster cluster)
      throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    try (TcpProxy proxy =
            TcpProxy.start("127.0.0.1", cluster.zookeeper().servers().get(0).clientPort());
        Pipekeeper member = connect(proxy, cluster, "member");
        Pipekeeper watcher = connect(proxy, cluster, "monitor")) {
      member.membership().join("orders", MemberInfo.defaults());
      member
          .health()
          .publish(
              "orders", Duration.ofMillis(200), () -> HealthReports.running("orders", "member"));
      ConfigView view = member.config().view("orders", "member");
      member.leadership("orders.singleton").start();
      Monitor monitor = watcher.monitor().evaluationInterval(Duration.ofMillis(200)).start();
      await().atMost(BOUND).until(monitor::isLeading);
      assertThat(view.appliedVersions()).isNotEmpty();

      root.addAppender(logs);
      proxy.cut();
      await().atMost(BOUND).until(() -> member.connectionState() == ConnectionState.LOST);
      // the outage goes on: what the clients retry meanwhile must not fill the log
      await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(1)).until(() -> true);
      proxy.restore();
      await()
          .atMost(BOUND)
          .until(
              () ->
                  member.connectionState().isConnected()
                      && watcher.connectionState().isConnected());
      await().atMost(BOUND).until(monitor::isLeading);
      root.detachAppender(logs);

      List<ILoggingEvent> own =
          logs.list.stream().filter(e -> e.getLoggerName().startsWith("dev.pipekeeper")).toList();
      List<String> lines = own.stream().map(OutageLoggingIT::line).toList();
      assertThat(own)
          .as("expected conditions are not errors and carry no stack trace: %s", lines)
          .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
          .noneMatch(e -> e.getThrowableProxy() != null);
      // per connection: suspended, lost, back; and the primitives' own few lines
      assertThat(lines).as("one line per state change, not one per retry").hasSizeLessThan(20);
      for (String state : List.of("SUSPENDED", "LOST", "RECONNECTED after")) {
        assertThat(lines)
            .as(state)
            .filteredOn(l -> l.contains("ZooKeeper connection " + state))
            .hasSize(2);
      }
      // What Curator itself logs at ERROR meanwhile is its background operations' expected
      // connection loss (which the app's logback configuration filters out, see
      // the app's ExpectedConditionsFilter) and LeaderLatch's reset: nothing else.
      assertThat(logs.list)
          .filteredOn(e -> !e.getLoggerName().startsWith("dev.pipekeeper"))
          .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
          .as("%s", logs.list.stream().map(OutageLoggingIT::line).toList())
          .allMatch(
              e ->
                  (e.getThrowableProxy() != null
                          && e.getThrowableProxy().getClassName().contains("ConnectionLoss"))
                      || e.getLoggerName().endsWith("LeaderLatch"));
    } finally {
      root.detachAppender(logs);
    }
  }

  private static String line(ILoggingEvent e) {
    return e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage();
  }

  private static Pipekeeper connect(TcpProxy proxy, TestCluster cluster, String identity) {
    return Pipekeeper.builder()
        .zookeeper(proxy.address())
        .cluster(cluster.cluster())
        .identity(identity)
        .sessionTimeout(SESSION)
        .connectionTimeout(Duration.ofSeconds(2))
        .build();
  }
}
