package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.ensemble.ServerStatus;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.core.monitor.SinkStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one evaluation looks at, gathered before any rule runs.
 *
 * @param now the evaluation's time
 * @param members group → member id → record (from the monitor's watch on {@code members})
 * @param health group → member id → health record (from its watch on {@code health})
 * @param applied member id → what its configuration view applied
 * @param scopeVersions scope path → the scope's version now (for the scopes members applied)
 * @param roles role → its election now
 * @param ensemble what each ZooKeeper server says, if a rule needs it
 * @param probes what the outside systems (Kafka) said, by system
 * @param sinks how deliveries are going
 * @param work group → its work units as its published assignment has them (groups with units and a
 *     published assignment), if a rule needs them
 */
record MonitorInputs(
    Instant now,
    Map<String, Map<String, MemberRecord>> members,
    Map<String, Map<String, HealthReport>> health,
    Map<String, AppliedConfig> applied,
    Map<String, Integer> scopeVersions,
    Map<String, RoleState> roles,
    Optional<List<ServerStatus>> ensemble,
    Map<String, ProbeReport> probes,
    List<SinkStatus> sinks,
    Map<String, GroupWork> work) {

  /**
   * A group's work units as its published assignment has them.
   *
   * @param units how many units the group has
   * @param unassigned the units the assignment gives to nobody, sorted
   */
  record GroupWork(int units, List<String> unassigned) {}

  /**
   * A role's election.
   *
   * @param epoch its fencing epoch (0 if it never had a leader)
   * @param contenders how many latch nodes it has (its leader is the first)
   * @param retired whether it retired (its last contender closed gracefully, or an operator retired
   *     it) and nobody contends since
   */
  record RoleState(long epoch, int contenders, boolean retired) {}
}
