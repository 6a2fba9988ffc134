package dev.pipekeeper.core.health.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.health.Health;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Registry;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Health records under {@code health/GROUP/MEMBER}. */
public final class DefaultHealth implements Health {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultHealth.class);
  private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  private final Session session;
  private final Registry registry;

  public DefaultHealth(Session session, Registry registry) {
    this.session = session;
    this.registry = registry;
  }

  @Override
  public HealthPublication publish(String group, Duration interval, Supplier<HealthReport> report) {
    String path = ZkLayout.health(group, session.identity());
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new InvalidInputException(
          "the health interval must be at least 100 ms, not " + interval.toMillis() + " ms");
    }
    DefaultHealthPublication publication =
        new DefaultHealthPublication(session, group, path, interval, report);
    publication.forgetOnClose(registry.add(publication));
    publication.start();
    return publication;
  }

  @Override
  public List<HealthReport> reports(String group) {
    String base = ZkLayout.health(group);
    List<HealthReport> reports = new ArrayList<>();
    for (String member : new TreeSet<>(session.children(base))) {
      try {
        byte[] data = session.client().getData().forPath(base + "/" + member);
        reports.add(Json.read(data, HealthReport.class));
      } catch (KeeperException.NoNodeException gone) {
        // the member went between the listing and the read
      } catch (IOException unreadable) {
        LOG.warn(
            "health record of {} in group {} is not readable: {}",
            member,
            group,
            unreadable.getMessage());
      } catch (Exception e) {
        throw session.failure("reading the health of group " + group, e);
      }
    }
    return reports;
  }

  @Override
  public List<String> groups() {
    List<String> groups = new ArrayList<>();
    for (String group : new TreeSet<>(session.children(ZkLayout.HEALTH))) {
      // a node made behind Pipekeeper's back with a name no group can have is no group
      if (Names.isValid(group) && !session.children(ZkLayout.health(group)).isEmpty()) {
        groups.add(group);
      }
    }
    return groups;
  }
}
