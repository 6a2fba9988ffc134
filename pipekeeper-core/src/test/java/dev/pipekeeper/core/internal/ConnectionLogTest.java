package dev.pipekeeper.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What an operator reads of an outage: one line per change, one a minute while it lasts. */
class ConnectionLogTest {
  private final AtomicLong now = new AtomicLong();
  private final ConnectionLog log = new ConnectionLog("c1", now::get, Duration.ofMinutes(1));
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ConnectionLog.class);

  @BeforeEach
  void attach() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(lines);
  }

  private void advance(Duration by) {
    now.addAndGet(by.toNanos());
    log.tick();
  }

  private List<String> messages() {
    return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  @Test
  void aLongOutageIsOneLinePerChangeAndOneAMinuteWhileItLasts() {
    log.changed(ConnectionState.SUSPENDED);
    advance(Duration.ofSeconds(5));
    log.changed(ConnectionState.LOST);
    for (int i = 0; i < 36; i++) { // three minutes, ticked every 5 s; down since the suspension
      advance(Duration.ofSeconds(5));
    }
    log.changed(ConnectionState.RECONNECTED);
    advance(Duration.ofMinutes(5)); // connected: nothing more to say

    assertThat(messages())
        .containsExactly(
            "WARN ZooKeeper connection SUSPENDED (cluster c1)",
            "WARN ZooKeeper connection LOST (cluster c1)",
            "WARN ZooKeeper connection still LOST after 1 min 5 s (cluster c1)",
            "WARN ZooKeeper connection still LOST after 2 min 5 s (cluster c1)",
            "WARN ZooKeeper connection still LOST after 3 min 5 s (cluster c1)",
            "INFO ZooKeeper connection RECONNECTED after 3 min 5 s (cluster c1)");
    assertThat(lines.list).allMatch(e -> e.getThrowableProxy() == null);
  }

  @Test
  void aShortSuspensionIsTwoLines() {
    log.changed(ConnectionState.SUSPENDED);
    advance(Duration.ofMillis(1500));
    log.changed(ConnectionState.RECONNECTED);
    assertThat(messages())
        .containsExactly(
            "WARN ZooKeeper connection SUSPENDED (cluster c1)",
            "INFO ZooKeeper connection RECONNECTED after 1 s (cluster c1)");
  }

  @Test
  void aRepeatedStateIsNotLoggedAgain() {
    log.changed(ConnectionState.LOST);
    log.changed(ConnectionState.LOST);
    log.changed(ConnectionState.RECONNECTED);
    log.changed(ConnectionState.CONNECTED);
    assertThat(messages())
        .containsExactly(
            "WARN ZooKeeper connection LOST (cluster c1)",
            "INFO ZooKeeper connection RECONNECTED after 0 s (cluster c1)");
  }
}
