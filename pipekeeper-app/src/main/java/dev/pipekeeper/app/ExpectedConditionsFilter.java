package dev.pipekeeper.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Marker;

/**
 * Drops what the client libraries log at ERROR, with a stack trace, for conditions Pipekeeper
 * expects and reports itself in one line; their other errors still show. Used by the app's {@code
 * logback.xml}.
 *
 * <ul>
 *   <li>Curator, each time one of its background operations gives up for want of a connection:
 *       during a ZooKeeper outage, every second or so for as long as it lasts. Pipekeeper logs the
 *       outage, one line per state change and one a minute while it lasts.
 *   <li>Kafka's producer, when a newer instance fenced it (a SINGLETON takeover, a unit moved):
 *       Pipekeeper logs the fencing at INFO, as the end of that instance's term.
 *   <li>ZooKeeper's client, when SASL authentication fails (a wrong user or password): Pipekeeper
 *       refuses the connection with one line naming the user and the servers.
 *   <li>Kafka's network client, when a broker refuses a client's SASL credentials (one line, no
 *       stack trace, for every connection attempt): the client's call fails with that reason, which
 *       Pipekeeper reports (a command's one line, a pipeline's failure, the probe's unreachable
 *       Kafka).
 * </ul>
 */
public final class ExpectedConditionsFilter extends TurboFilter {
  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    String name = logger.getName();
    if (name.equals("org.apache.kafka.clients.NetworkClient")
        && format != null
        && format.contains("failed authentication due to")) {
      return FilterReply.DENY;
    }
    if (t == null) {
      return FilterReply.NEUTRAL;
    }
    if (name.startsWith("org.apache.curator")
        && causedBy(
            t,
            KeeperException.ConnectionLossException.class,
            KeeperException.SessionExpiredException.class)) {
      return FilterReply.DENY;
    }
    if (name.startsWith("org.apache.zookeeper")
        && causedBy(t, SaslException.class, SaslException.class)) {
      return FilterReply.DENY;
    }
    if (name.startsWith("org.apache.kafka.clients.producer")
        && causedBy(t, ProducerFencedException.class, InvalidProducerEpochException.class)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }

  private static boolean causedBy(Throwable t, Class<?> one, Class<?> other) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (one.isInstance(cause) || other.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }
}
