package dev.pipekeeper.core.security;

import java.util.List;

/**
 * The ACLs of a cluster's tree as ZooKeeper holds them ({@link #show()}), and the one way to bring
 * an existing tree to the connection's {@link AclModel} ({@link #apply()}). Obtained from {@link
 * dev.pipekeeper.core.Pipekeeper#acls()}.
 */
public interface AclAudit {
  /**
   * One node's ACL.
   *
   * @param path the node's path under the cluster's root ({@code /} is the root itself)
   * @param acl its entries as {@code scheme:id=perms}, perms in zkCli's letters ({@code cdrwa}); a
   *     digest's hash shows as {@code x} to a connection without ADMIN on the node
   * @param secret whether the node holds a secret configuration value or its history
   */
  record NodeAcl(String path, List<String> acl, boolean secret) {}

  /**
   * The tree's ACLs and what is wrong with them.
   *
   * @param nodes every node of the cluster's tree, the root first, in path order
   * @param warnings one line per node that anyone may change, or per secret that anyone may read
   */
  record Report(List<NodeAcl> nodes, List<String> warnings) {}

  /**
   * What {@link #apply()} did.
   *
   * @param changed the paths whose ACL it set
   * @param unchanged how many nodes already had the model's ACL
   */
  record Applied(List<String> changed, int unchanged) {}

  /** Reads the ACL of every node of the cluster's tree. */
  Report show();

  /**
   * Sets the model's ACL on every node of the cluster's tree that does not have it yet (the secret
   * ACL on secrets); a second run changes nothing. Needs ADMIN on each node it changes.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the connection has no ACL model
   * @throws dev.pipekeeper.core.NotAuthorizedException naming the first node it may not change
   */
  Applied apply();
}
