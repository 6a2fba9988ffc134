package dev.pipekeeper.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.curator.CuratorConnectionLossException;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The app's shipped {@code logback.xml}, loaded as the app loads it: what reaches the console of an
 * instance or the monitor during a ZooKeeper outage.
 */
class ShippedLoggingTest {
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> console = new ListAppender<>();

  @BeforeEach
  void load() throws Exception {
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(ShippedLoggingTest.class.getResource("/logback.xml"));
    console.setContext(context);
    console.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(console);
  }

  @Test
  void curatorsBackgroundConnectionLossDuringAnOutageIsNotPrinted() {
    Logger curator = context.getLogger("org.apache.curator.framework.imps.CuratorFrameworkImpl");
    // what Curator logs for each background operation that gives up while ZooKeeper is away
    curator.error("Background retry gave up", new CuratorConnectionLossException());
    curator.error(
        "Background operation retry gave up",
        KeeperException.create(KeeperException.Code.CONNECTIONLOSS));
    curator.error(
        "Background exception was not retry-able or retry gave up",
        KeeperException.create(KeeperException.Code.SESSIONEXPIRED));
    context
        .getLogger("org.apache.curator.framework.recipes.leader.LeaderLatch")
        .error("[id=m] failed to find our node; resetting (index: -1)");
    assertThat(console.list).isEmpty();
  }

  @Test
  void theProducersErrorForAnExpectedFencingIsNotPrinted() {
    Logger sender = context.getLogger("org.apache.kafka.clients.producer.internals.Sender");
    sender.error(
        "[Producer clientId=p, transactionalId=t] Aborting producer batches due to fatal error",
        new org.apache.kafka.common.errors.ProducerFencedException("fenced"));
    sender.error("Uncaught error in kafka producer I/O thread: ", new IllegalStateException("bug"));
    assertThat(console.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("Uncaught error in kafka producer I/O thread: ");
  }

  @Test
  void zooKeepersSaslFailureStackTraceIsNotPrinted() {
    Logger sasl = context.getLogger("org.apache.zookeeper.client.ZooKeeperSaslClient");
    // what ZooKeeper's client logs when the server refuses its SASL credentials
    sasl.error(
        "SASL authentication failed using login context 'Pipekeeper-1-c-writer'.",
        new javax.security.sasl.SaslException(
            "Error in authenticating with a Zookeeper Quorum member"));
    sasl.error("something else", new IllegalStateException("bug"));
    assertThat(console.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("something else");
  }

  @Test
  void kafkasLineForRefusedCredentialsIsNotPrinted() {
    Logger network = context.getLogger("org.apache.kafka.clients.NetworkClient");
    // what Kafka's client logs at each connection a broker refuses for its SASL credentials
    network.error(
        "[AdminClient clientId=adminclient-1] Connection to node {} ({}) failed authentication"
            + " due to: {}",
        -1,
        "localhost/127.0.0.1:9093",
        "Authentication failed during authentication due to invalid credentials with SASL"
            + " mechanism SCRAM-SHA-512");
    network.error("[AdminClient clientId=adminclient-1] something else");
    assertThat(console.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("[AdminClient clientId=adminclient-1] something else");
  }

  @Test
  void curatorsOtherErrorsAndPipekeepersOwnLinesStillShow() {
    Logger curator = context.getLogger("org.apache.curator.framework.imps.CuratorFrameworkImpl");
    curator.error("Background exception was not retry-able", new KeeperException.NoAuthException());
    context
        .getLogger("dev.pipekeeper.core.internal.ConnectionLog")
        .warn("ZooKeeper connection LOST (cluster c)");
    assertThat(console.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "Background exception was not retry-able", "ZooKeeper connection LOST (cluster c)");
  }
}
