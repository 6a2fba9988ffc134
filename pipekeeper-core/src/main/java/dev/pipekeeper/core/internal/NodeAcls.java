package dev.pipekeeper.core.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * The ACLs of the nodes a connection creates: one list for every node, and one for the values of
 * secret configuration keys and their history (which the config room asks for by name, since a path
 * alone does not tell whether a key is secret). Made from the connection's {@code AclModel}, or the
 * default without one.
 *
 * @param node the ACL of every node
 * @param secret the ACL of a secret value and its history entries
 * @param modelled whether they come from an ACL model (else a secret gets the node ACL)
 */
public record NodeAcls(List<ACL> node, List<ACL> secret, boolean modelled) implements ACLProvider {
  public NodeAcls {
    // not List.copyOf: ZooKeeper's validateACL asks contains(null), which List.of refuses
    node = Collections.unmodifiableList(new ArrayList<>(node));
    secret = Collections.unmodifiableList(new ArrayList<>(secret));
  }

  /** Without a model and without credentials: ZooKeeper's open ACL, as Curator's default. */
  public static final NodeAcls OPEN =
      new NodeAcls(ZooDefs.Ids.OPEN_ACL_UNSAFE, ZooDefs.Ids.OPEN_ACL_UNSAFE, false);

  /** Without a model but with credentials: readable and writable by the creator only. */
  public static final NodeAcls CREATOR_ONLY =
      new NodeAcls(ZooDefs.Ids.CREATOR_ALL_ACL, ZooDefs.Ids.CREATOR_ALL_ACL, false);

  @Override
  public List<ACL> getDefaultAcl() {
    return node;
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    return node;
  }
}
