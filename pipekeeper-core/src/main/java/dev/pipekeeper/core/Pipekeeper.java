package dev.pipekeeper.core;

import dev.pipekeeper.core.assignment.Assignments;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.WorkUnits;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.barriers.Barrier;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.health.Health;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.locks.Locks;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.Membership;
import dev.pipekeeper.core.monitor.Alerts;
import dev.pipekeeper.core.monitor.MonitorBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.curator.framework.state.ConnectionState;

/**
 * A connection to a Pipekeeper cluster: a ZooKeeper session under the cluster's root {@code
 * /pipekeeper/CLUSTER}, and the coordination primitives built on it.
 *
 * <pre>{@code
 * try (Pipekeeper pk = Pipekeeper.builder()
 *     .zookeeper("zk1:2181,zk2:2181,zk3:2181")
 *     .cluster("payments")
 *     .sessionTimeout(Duration.ofSeconds(10))
 *     .build()) {
 *   Member me = pk.membership().join("enricher", MemberInfo.withCapacity(4));
 *   Leadership nightly = pk.leadership("nightly-cleanup");
 *   // ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. Everything obtained from it is closed with it. On SUSPENDED (no answer from
 * ZooKeeper for two thirds of the session timeout) leader-only and lock-holder work must pause,
 * which leases and lock handles signal; on LOST (the session expired) roles and locks are given up;
 * membership comes back by itself.
 */
public interface Pipekeeper extends AutoCloseable {

  /** Settings for a new connection. */
  static PipekeeperBuilder builder() {
    return new PipekeeperBuilder();
  }

  /**
   * This library's version, e.g. {@code 0.1.0}: what a member publishes as its version unless it
   * sets its own ({@link MemberInfo#version(String)}).
   */
  static String version() {
    return BuildVersion.VERSION;
  }

  /** The cluster name. */
  String cluster();

  /**
   * The identity of this client (by default {@code host-pid-random}): the id written into election
   * and lock nodes so operators see who holds what.
   */
  String identity();

  /** The session timeout the ZooKeeper servers granted (they clamp what was asked for). */
  Duration negotiatedSessionTimeout();

  /**
   * The current ZooKeeper session id, as the servers show it ({@code cons}, {@code dump}); it
   * changes after the session is lost and a new one established.
   */
  long sessionId();

  /** The state of the connection as last reported by Curator. */
  ConnectionState connectionState();

  /**
   * Calls {@code listener} on every connection state change, on a Pipekeeper thread (never on
   * Curator's event thread). Exceptions it throws are logged.
   */
  void onConnectionStateChange(Consumer<ConnectionState> listener);

  /**
   * The registry this connection records its coordination meters in ({@link
   * PipekeeperBuilder#metrics(MeterRegistry)}).
   */
  MeterRegistry metrics();

  /** Group membership. */
  Membership membership();

  /**
   * The leader election of {@code role}; the same role asked for twice gives two independent
   * contenders.
   *
   * @throws InvalidInputException if the role name is not valid
   */
  Leadership leadership(String role);

  /**
   * Retires a role that is no longer used: records its end (so the monitor's {@code no-leader} rule
   * leaves it alone) and removes its nodes, so it no longer lists. A role also retires by itself
   * when its last contender closes gracefully (its nodes then stay). A contender that comes later
   * starts the role again, at the epoch after the one it ended at.
   *
   * @param force retire it even though contenders are there (their latch nodes are removed; a live
   *     one contends again)
   * @throws InvalidInputException if the role name is not valid, there is no such role, or it has
   *     contenders and {@code force} is false (nothing is changed)
   * @throws UnreachableException if ZooKeeper did not answer in time
   */
  dev.pipekeeper.core.leader.RoleRetirement retireRole(String role, boolean force);

  /** Mutexes, read/write locks and semaphores with fencing tokens. */
  Locks locks();

  /**
   * A double barrier for {@code members} participants.
   *
   * @throws InvalidInputException if the name is not valid or members is below 1
   */
  Barrier barrier(String name, int members);

  /**
   * The work units of {@code group}: what its members share (tenants, files, endpoints).
   *
   * @throws InvalidInputException if the group name is not valid
   */
  WorkUnits workUnits(String group);

  /**
   * The published assignment of {@code group}'s work units.
   *
   * @throws InvalidInputException if the group name is not valid
   */
  Assignments assignments(String group);

  /**
   * Joins {@code group} as a worker: a member that runs the work units assigned to it through
   * {@code handler}, and contends to be the group's leader, which assigns the units. Returns once
   * the member has joined; units start in the background as the assignment gives them.
   *
   * @throws InvalidInputException if the group name or member id is not valid, or the id is used by
   *     a live member
   * @throws UnreachableException if ZooKeeper did not answer in time
   */
  GroupWorker worker(String group, MemberInfo info, UnitHandler handler, WorkerOptions options);

  /** A worker with {@link WorkerOptions#defaults()}. */
  default GroupWorker worker(String group, MemberInfo info, UnitHandler handler) {
    return worker(group, info, handler, WorkerOptions.defaults());
  }

  /** Configuration: validated, versioned, atomic, live. */
  Configuration config();

  /** Members' health records: publish this connection's, read a group's. */
  Health health();

  /**
   * Settings for a contender for the cluster's one monitor, which evaluates the alerting rules;
   * {@code start()} it. Any member may host one; the elected one works, the others stand by.
   */
  MonitorBuilder monitor();

  /** The alerts the cluster's monitor keeps: live ones and the recorded transitions. */
  Alerts alerts();

  /** Read-only views of what the cluster holds, for operators and the CLI. */
  ClusterInspector inspector();

  /**
   * The ACLs of the cluster's tree: a report, and bringing an existing tree to this connection's
   * {@link dev.pipekeeper.core.security.AclModel} (see {@link PipekeeperBuilder#acls}).
   */
  dev.pipekeeper.core.security.AclAudit acls();

  /** Closes every primitive obtained from this connection, then the session. Safe twice. */
  @Override
  void close();
}
