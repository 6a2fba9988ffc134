package dev.pipekeeper.core.membership;

import java.util.List;

/**
 * A group's member nodes as {@link dev.pipekeeper.core.ClusterInspector#memberListing} reads them:
 * the readable records, and the nodes it kept out. A node written behind Pipekeeper's back that is
 * no member record (not valid JSON, no id or state) is reported here, one item each; it never hides
 * the good members.
 *
 * @param group the group listed
 * @param members its readable members, sorted by id
 * @param skipped the nodes kept out, sorted by name
 */
public record MemberListing(String group, List<MemberRecord> members, List<Skipped> skipped) {
  public MemberListing {
    members = List.copyOf(members);
    skipped = List.copyOf(skipped);
  }

  /**
   * A node kept out of a listing.
   *
   * @param name the node's name under the group (the member id it claims)
   * @param reason why: it is not valid JSON, or it lacks an id or a state
   */
  public record Skipped(String name, String reason) {}
}
