package dev.pipekeeper.core.assignment.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkUnits;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Work units as JSON nodes under {@code units/GROUP}; changes use compare-and-set. */
public final class DefaultWorkUnits implements WorkUnits {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultWorkUnits.class);
  private static final int CAS_ATTEMPTS = 10;

  private final Session session;
  private final String group;

  /** What a unit node holds. */
  record UnitRecord(int weight, String pinnedMember, String pinnedTag) {}

  public DefaultWorkUnits(Session session, String group) {
    this.session = session;
    this.group = Names.check("group", group);
  }

  @Override
  public String group() {
    return group;
  }

  @Override
  public void put(WorkUnit unit) {
    String path = ZkLayout.unit(group, unit.name());
    session.awaitConnected(session.connectionTimeout());
    try {
      session.client().create().orSetData().creatingParentsIfNeeded().forPath(path, encode(unit));
      LOG.info("work unit {} of group {} put (weight {})", unit.name(), group, unit.weight());
    } catch (Exception e) {
      throw session.failure("putting work unit " + unit.name(), e);
    }
  }

  @Override
  public void remove(String name) {
    try {
      session.client().delete().forPath(ZkLayout.unit(group, name));
      LOG.info("work unit {} of group {} removed", name, group);
    } catch (KeeperException.NoNodeException none) {
      throw new InvalidInputException("group " + group + " has no work unit " + name);
    } catch (Exception e) {
      throw session.failure("removing work unit " + name, e);
    }
  }

  @Override
  public Optional<WorkUnit> get(String name) {
    String path = ZkLayout.unit(group, name);
    try {
      return decode(name, session.client().getData().forPath(path));
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    } catch (Exception e) {
      throw session.failure("reading work unit " + name, e);
    }
  }

  @Override
  public List<WorkUnit> list() {
    List<WorkUnit> units = new ArrayList<>();
    for (String name : session.children(ZkLayout.units(group)).stream().sorted().toList()) {
      if (!Names.isValid(name)) {
        // made behind Pipekeeper's back (zkCli): no unit, and no reason to hide the others
        LOG.warn(
            "skipping node {} under the units of group {}: not a work unit name",
            Names.quote(name),
            group);
        continue;
      }
      get(name).ifPresent(units::add);
    }
    return units;
  }

  @Override
  public void pin(String name, String memberId) {
    Names.check("member id", memberId);
    update(name, unit -> unit.pinnedTo(memberId));
  }

  @Override
  public void pinToTag(String name, String keyEqualsValue) {
    update(name, unit -> unit.pinnedToTag(keyEqualsValue));
  }

  @Override
  public void unpin(String name) {
    update(
        name, unit -> new WorkUnit(unit.name(), unit.weight(), Optional.empty(), Optional.empty()));
  }

  /** Read, change, write back with the version read; retried if another writer came between. */
  private void update(String name, UnaryOperator<WorkUnit> change) {
    String path = ZkLayout.unit(group, name);
    for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      Stat stat = new Stat();
      try {
        byte[] data = session.client().getData().storingStatIn(stat).forPath(path);
        WorkUnit current =
            decode(name, data)
                .orElseThrow(
                    () ->
                        new InvalidInputException(
                            "work unit " + name + " of group " + group + " is malformed"));
        WorkUnit changed = change.apply(current);
        session.client().setData().withVersion(stat.getVersion()).forPath(path, encode(changed));
        LOG.info("work unit {} of group {} now {}", name, group, describe(changed));
        return;
      } catch (KeeperException.NoNodeException none) {
        throw new InvalidInputException("group " + group + " has no work unit " + name);
      } catch (KeeperException.BadVersionException raced) {
        // changed by another writer since the read: read again
      } catch (InvalidInputException e) {
        throw e;
      } catch (Exception e) {
        throw session.failure("changing work unit " + name, e);
      }
    }
    throw new PipekeeperException("work unit " + name + " kept changing; try again");
  }

  private static String describe(WorkUnit unit) {
    return unit.pinnedMember()
        .map(m -> "pinned to " + m)
        .or(() -> unit.pinnedTag().map(t -> "pinned to tag " + t))
        .orElse("unpinned");
  }

  private static byte[] encode(WorkUnit unit) {
    return Json.write(
        new UnitRecord(
            unit.weight(), unit.pinnedMember().orElse(null), unit.pinnedTag().orElse(null)));
  }

  private Optional<WorkUnit> decode(String name, byte[] data) {
    return decode(group, name, data);
  }

  /** A unit node's content as a unit; empty (and logged) if malformed. */
  static Optional<WorkUnit> decode(String group, String name, byte[] data) {
    try {
      UnitRecord record = Json.read(data, UnitRecord.class);
      if (record == null) {
        // JSON null, written behind Pipekeeper's back: as malformed as any other garbage
        LOG.warn("skipping malformed work unit {} of group {}: it holds null", name, group);
        return Optional.empty();
      }
      return Optional.of(
          new WorkUnit(
              name,
              record.weight(),
              Optional.ofNullable(record.pinnedMember()),
              Optional.ofNullable(record.pinnedTag())));
    } catch (IOException | InvalidInputException e) {
      LOG.warn("skipping malformed work unit {} of group {}: {}", name, group, e.getMessage());
      return Optional.empty();
    }
  }
}
