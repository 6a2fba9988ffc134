package dev.pipekeeper.core;

import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.security.AclAudit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link AclAudit} over a connection's session. */
final class DefaultAclAudit implements AclAudit {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultAclAudit.class);

  private static final int CHANGES =
      ZooDefs.Perms.WRITE | ZooDefs.Perms.CREATE | ZooDefs.Perms.DELETE | ZooDefs.Perms.ADMIN;

  private final Session session;

  DefaultAclAudit(Session session) {
    this.session = session;
  }

  private CuratorFramework client() {
    return session.client();
  }

  @Override
  public Report show() {
    session.awaitConnected(session.connectionTimeout());
    Set<String> secrets = secretKeys();
    List<NodeAcl> nodes = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (String path : tree()) {
      List<ACL> acl = acl(path, new Stat());
      if (acl == null) {
        continue; // deleted meanwhile
      }
      boolean secret = isSecret(path, secrets);
      nodes.add(new NodeAcl(path, acl.stream().map(DefaultAclAudit::format).toList(), secret));
      for (ACL entry : acl) {
        if (entry.getId().equals(ZooDefs.Ids.ANYONE_ID_UNSAFE)) {
          if ((entry.getPerms() & CHANGES) != 0) {
            warnings.add(path + " is world-writable (world:anyone=" + perms(entry) + ")");
          }
          if (secret && (entry.getPerms() & ZooDefs.Perms.READ) != 0) {
            warnings.add(path + " is a secret anyone may read (world:anyone=" + perms(entry) + ")");
          }
        }
      }
    }
    return new Report(List.copyOf(nodes), List.copyOf(warnings));
  }

  @Override
  public Applied apply() {
    if (!session.acls().modelled()) {
      throw new InvalidInputException(
          "applying ACLs needs an ACL model (PipekeeperBuilder.acls, or acl.admins=... in the"
              + " ZooKeeper client file)");
    }
    session.awaitConnected(session.connectionTimeout());
    Set<String> secrets = secretKeys();
    List<String> changed = new ArrayList<>();
    int unchanged = 0;
    for (String path : tree()) {
      Stat stat = new Stat();
      List<ACL> current = acl(path, stat);
      if (current == null) {
        continue;
      }
      List<ACL> wanted = isSecret(path, secrets) ? session.acls().secret() : session.acls().node();
      if (new HashSet<>(current).equals(new HashSet<>(wanted))) {
        unchanged++;
        continue;
      }
      try {
        client().setACL().withVersion(stat.getAversion()).withACL(wanted).forPath(path);
        changed.add(path);
      } catch (KeeperException.NoNodeException deleted) {
        // gone meanwhile
      } catch (Exception e) {
        throw session.failure("setting the ACL of " + path, e);
      }
    }
    LOG.info(
        "ACLs applied: {} node(s) changed, {} already as the model", changed.size(), unchanged);
    return new Applied(List.copyOf(changed), unchanged);
  }

  /** Every path of the cluster's tree, the root first, depth first in name order. */
  private List<String> tree() {
    List<String> paths = new ArrayList<>();
    walk("/", paths);
    return paths;
  }

  private void walk(String path, List<String> paths) {
    paths.add(path);
    List<String> children;
    try {
      children = new ArrayList<>(client().getChildren().forPath(path));
    } catch (KeeperException.NoNodeException deleted) {
      return;
    } catch (KeeperException.NoAuthException closed) {
      return; // its ACL is still reported; what is below, this connection may not see
    } catch (Exception e) {
      throw session.failure("listing " + path, e);
    }
    children.sort(null);
    for (String child : children) {
      walk((path.equals("/") ? "" : path) + "/" + child, paths);
    }
  }

  private List<ACL> acl(String path, Stat stat) {
    try {
      return client().getACL().storingStatIn(stat).forPath(path);
    } catch (KeeperException.NoNodeException deleted) {
      return null;
    } catch (Exception e) {
      throw session.failure("reading the ACL of " + path, e);
    }
  }

  private Set<String> secretKeys() {
    try {
      return new HashSet<>(client().getChildren().forPath(ZkLayout.CONFIG_SECRET));
    } catch (KeeperException.NoNodeException none) {
      return Set.of();
    } catch (Exception e) {
      throw session.failure("listing " + ZkLayout.CONFIG_SECRET, e);
    }
  }

  /** A secret's value ({@code /config/SCOPE/KEY}) or one of its history entries. */
  static boolean isSecret(String path, Set<String> secretKeys) {
    String[] parts = path.split("/");
    if (path.startsWith(ZkLayout.CONFIG + "/") && parts.length >= 4) {
      return secretKeys.contains(parts[parts.length - 1]);
    }
    if (path.startsWith(ZkLayout.CONFIG_HISTORY + "/") && parts.length >= 5) {
      return parts[parts.length - 1].startsWith(ZkLayout.CONFIG_HISTORY_PREFIX)
          && secretKeys.contains(parts[parts.length - 2]);
    }
    return false;
  }

  static String format(ACL acl) {
    return acl.getId().getScheme() + ":" + acl.getId().getId() + "=" + perms(acl);
  }

  private static String perms(ACL acl) {
    int p = acl.getPerms();
    StringBuilder s = new StringBuilder();
    s.append((p & ZooDefs.Perms.CREATE) != 0 ? "c" : "");
    s.append((p & ZooDefs.Perms.DELETE) != 0 ? "d" : "");
    s.append((p & ZooDefs.Perms.READ) != 0 ? "r" : "");
    s.append((p & ZooDefs.Perms.WRITE) != 0 ? "w" : "");
    s.append((p & ZooDefs.Perms.ADMIN) != 0 ? "a" : "");
    return s.isEmpty() ? "-" : s.toString();
  }
}
