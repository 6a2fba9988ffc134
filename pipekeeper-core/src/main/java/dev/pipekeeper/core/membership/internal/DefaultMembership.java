package dev.pipekeeper.core.membership.internal;

import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.internal.Registry;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.membership.GroupView;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberListing;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.Membership;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Membership on member nodes under {@code members/GROUP}. */
public final class DefaultMembership implements Membership {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultMembership.class);

  private final Session session;
  private final Registry registry;

  public DefaultMembership(Session session, Registry registry) {
    this.session = session;
    this.registry = registry;
  }

  @Override
  public Member join(String group, MemberInfo info) {
    Names.check("group", group);
    String id = Names.check("member id", info.id().orElse(session.identity()));
    MemberRecord record =
        new MemberRecord(
            id,
            group,
            hostName(),
            ProcessHandle.current().pid(),
            info.version(),
            Instant.now(),
            info.capacity(),
            info.tags(),
            info.initialState());
    DefaultMember member = new DefaultMember(session, record);
    member.start();
    member.forgetOnClose(registry.add(member));
    return member;
  }

  @Override
  public GroupView watch(String group) {
    Names.check("group", group);
    DefaultGroupView view = new DefaultGroupView(session, group);
    view.start();
    view.forgetOnClose(registry.add(view));
    return view;
  }

  @Override
  public List<MemberRecord> members(String group) {
    return listing(group).members();
  }

  /** The group's readable members and the nodes kept out (each also logged once per read). */
  public MemberListing listing(String group) {
    String path = ZkLayout.members(group);
    List<MemberRecord> members = new ArrayList<>();
    List<MemberListing.Skipped> skipped = new ArrayList<>();
    for (String child : new TreeSet<>(children(path))) {
      try {
        byte[] data = session.client().getData().forPath(path + "/" + child);
        try {
          members.add(MemberCodec.parse(data));
        } catch (IOException malformed) {
          LOG.warn("skipping malformed member node {}/{}: {}", path, child, malformed.getMessage());
          skipped.add(new MemberListing.Skipped(child, malformed.getMessage()));
        }
      } catch (KeeperException.NoNodeException gone) {
        // left between the listing and the read
      } catch (Exception e) {
        throw session.failure("reading members of " + group, e);
      }
    }
    members.sort(Comparator.comparing(MemberRecord::id));
    return new MemberListing(group, members, skipped);
  }

  @Override
  public List<String> groups() {
    return children(ZkLayout.MEMBERS).stream().sorted().toList();
  }

  private List<String> children(String path) {
    return session.children(path);
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
