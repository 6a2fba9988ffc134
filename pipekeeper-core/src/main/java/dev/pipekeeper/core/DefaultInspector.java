package dev.pipekeeper.core;

import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Registry;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.RoleInfo;
import dev.pipekeeper.core.leader.RoleRetirement;
import dev.pipekeeper.core.leader.internal.Roles;
import dev.pipekeeper.core.locks.LockInfo;
import dev.pipekeeper.core.membership.MemberListing;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.internal.DefaultMembership;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/** Reads elections, locks and members as Curator's recipes lay them out. */
final class DefaultInspector implements ClusterInspector {
  private final Session session;
  private final Registry registry;
  private final DefaultMembership membership;

  DefaultInspector(Session session, Registry registry) {
    this.session = session;
    this.registry = registry;
    this.membership = new DefaultMembership(session, Registry.NONE);
  }

  @Override
  public ClusterWatch watch(ClusterListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    DefaultClusterWatch watch = new DefaultClusterWatch(session, listener);
    watch.start(registry.add(watch));
    return watch;
  }

  @Override
  public List<String> groups() {
    return membership.groups();
  }

  @Override
  public List<MemberRecord> members(String group) {
    return membership.members(group);
  }

  @Override
  public MemberListing memberListing(String group) {
    return membership.listing(group);
  }

  @Override
  public List<String> workGroups() {
    TreeSet<String> groups = new TreeSet<>(children(ZkLayout.UNITS));
    groups.addAll(children(ZkLayout.ASSIGNMENTS));
    return List.copyOf(groups);
  }

  @Override
  public List<RoleInfo> roles() {
    List<RoleInfo> result = new ArrayList<>();
    for (Roles.Role role : Roles.list(session)) {
      List<Node> contenders = nodes(ZkLayout.leaders(role.name()), role.contenders());
      Optional<Node> leader = contenders.stream().findFirst();
      result.add(
          new RoleInfo(
              role.name(),
              leader.map(Node::text),
              leader.map(Node::created),
              role.epoch(),
              contenders.stream().map(Node::text).toList(),
              Roles.retirement(session, role).map(RoleRetirement::at),
              role.problem()));
    }
    return result;
  }

  @Override
  public List<LockInfo> locks() {
    List<LockInfo> result = new ArrayList<>();
    for (String name : new TreeSet<>(children(ZkLayout.LOCKS))) {
      if (!Names.isValid(name)) {
        continue; // made behind Pipekeeper's back: no lock can have that name
      }
      String base = ZkLayout.lock(name);
      List<Node> nodes = nodes(base, children(base));
      if (nodes.isEmpty()) {
        continue;
      }
      boolean readWrite =
          nodes.stream().anyMatch(n -> n.name.contains("__READ__") || n.name.contains("__WRIT__"));
      List<LockInfo.Holder> holders = new ArrayList<>();
      if (!readWrite) {
        holders.add(holder(nodes.get(0), "exclusive"));
      } else if (nodes.get(0).name.contains("__WRIT__")) {
        holders.add(holder(nodes.get(0), "write"));
      } else {
        for (Node node : nodes) {
          if (node.name.contains("__WRIT__")) {
            break;
          }
          holders.add(holder(node, "read"));
        }
      }
      result.add(
          new LockInfo(
              readWrite ? "read-write" : "mutex", name, holders, nodes.size() - holders.size()));
    }
    for (String name : new TreeSet<>(children(ZkLayout.SEMAPHORES))) {
      if (!Names.isValid(name)) {
        continue; // made behind Pipekeeper's back: no lock can have that name
      }
      String base = ZkLayout.semaphore(name);
      List<Node> leases =
          nodes(ZkLayout.semaphoreLeases(name), children(ZkLayout.semaphoreLeases(name)));
      int waiting = children(ZkLayout.semaphoreLocks(name)).size();
      if (leases.isEmpty() && waiting == 0) {
        continue;
      }
      result.add(
          new LockInfo(
              "semaphore", name, leases.stream().map(n -> holder(n, "permit")).toList(), waiting));
    }
    return result;
  }

  private static LockInfo.Holder holder(Node node, String mode) {
    return new LockInfo.Holder(node.owner(), mode, node.stat.getCzxid(), node.created());
  }

  /** A participant node: its name, its data and its stat. */
  private record Node(String name, byte[] data, Stat stat) {
    String text() {
      return new String(data == null ? new byte[0] : data, StandardCharsets.UTF_8);
    }

    String owner() {
      try {
        // JSON null (or no data) reads as no map: written behind Pipekeeper's back, like any text
        Map<?, ?> record = Json.read(data, Map.class);
        Object owner = record == null ? null : record.get("owner");
        return owner == null ? text() : owner.toString();
      } catch (IOException e) {
        return text();
      }
    }

    Instant created() {
      return Instant.ofEpochMilli(stat.getCtime());
    }

    /** Curator's recipes end node names with a 10-digit sequence number. */
    String sequence() {
      return name.length() >= 10 ? name.substring(name.length() - 10) : name;
    }
  }

  private List<Node> nodes(String base, List<String> names) {
    List<Node> nodes = new ArrayList<>();
    for (String name : names) {
      Stat stat = new Stat();
      try {
        byte[] data = session.client().getData().storingStatIn(stat).forPath(base + "/" + name);
        nodes.add(new Node(name, data, stat));
      } catch (KeeperException.NoNodeException gone) {
        // released between the listing and the read
      } catch (Exception e) {
        throw session.failure("reading " + base, e);
      }
    }
    nodes.sort(Comparator.comparing(Node::sequence));
    return nodes;
  }

  private List<String> children(String path) {
    return session.children(path);
  }
}
