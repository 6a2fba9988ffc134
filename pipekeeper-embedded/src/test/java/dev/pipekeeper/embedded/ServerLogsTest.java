package dev.pipekeeper.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The servers' own log in a file of its own, the application's log left as it was. */
class ServerLogsTest {
  @Test
  void serverLoggersWriteToTheFileAndNoLongerToTheApplicationsAppenders(@TempDir Path dir)
      throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> console = new ListAppender<>();
    console.start();
    root.addAppender(console);
    Path file = dir.resolve("servers.log");
    try {
      ServerLogs.Redirect redirect = ServerLogs.toFile(file);
      try {
        LoggerFactory.getLogger("kafka.server.ReplicaManager")
            .error("[ReplicaManager broker=1] Error processing append operation on partition x");
        LoggerFactory.getLogger("org.apache.zookeeper.server.ZooKeeperServer").warn("server warn");
        LoggerFactory.getLogger("kafka.server.BrokerServer").info("info is left out");
        LoggerFactory.getLogger("dev.pipekeeper.demo").warn("the application's own line");
      } finally {
        redirect.close();
        redirect.close(); // twice is fine
      }
      LoggerFactory.getLogger("kafka.server.ReplicaManager").error("after the redirect");
    } finally {
      root.detachAppender(console);
    }
    assertThat(Files.readAllLines(file))
        .hasSize(2)
        .anyMatch(l -> l.contains("ERROR") && l.contains("Error processing append operation"))
        .anyMatch(l -> l.contains("server warn"));
    assertThat(console.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("the application's own line", "after the redirect");
  }
}
