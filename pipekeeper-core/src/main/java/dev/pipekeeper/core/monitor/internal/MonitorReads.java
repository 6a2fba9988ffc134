package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.internal.ScopeListing;
import dev.pipekeeper.core.ensemble.EnsembleProbe;
import dev.pipekeeper.core.ensemble.ServerStatus;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.Threads;
import dev.pipekeeper.core.internal.WatchedTree;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.leader.internal.Roles;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.internal.GracefulLeaves;
import dev.pipekeeper.core.monitor.MonitorProbe;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.core.monitor.Rule;
import dev.pipekeeper.core.monitor.RuleKind;
import dev.pipekeeper.core.monitor.SinkStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.client.ZKClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the monitor reads for an evaluation besides its watched trees: scope versions, roles, the
 * ensemble, the probes, the groups' work and who left without a graceful leave, each only when a
 * rule in force needs it. On the monitor thread.
 */
final class MonitorReads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorReads.class);

  private final Pipekeeper pk;
  private final Session session;
  private final MonitorSettings settings;
  private final List<MonitorProbe> probes;

  /**
   * Asks a quorum's servers in parallel, on threads kept from one evaluation to the next (at most
   * {@link #ENSEMBLE_THREADS}, which ends idle ones; an ensemble of more servers takes a second
   * round of asking).
   */
  private final ThreadPoolExecutor ensembleThreads = ensembleThreads();

  private static final int ENSEMBLE_THREADS = 7;

  /**
   * The monitor connection's ZooKeeper client config, so that the servers are asked as the
   * connection talks to them (over TLS with its truststore when it uses TLS); null while the
   * connection has no ZooKeeper handle.
   */
  private ZKClientConfig clientConfig() {
    try {
      return session.client().getZookeeperClient().getZooKeeper().getClientConfig();
    } catch (Exception e) {
      return null;
    }
  }

  private static ThreadPoolExecutor ensembleThreads() {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            ENSEMBLE_THREADS,
            ENSEMBLE_THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Threads.named("pipekeeper-monitor-ensemble"));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private final EnsembleProbe ensembleProbe;

  MonitorReads(Pipekeeper pk, Session session, MonitorSettings settings) {
    this.pk = pk;
    this.session = session;
    this.settings = settings;
    this.probes = settings.probes();
    this.ensembleProbe = new EnsembleProbe(settings.ensembleTimeout(), ensembleThreads);
  }

  /**
   * What the rules in force need, read now; {@code reads[0]} counts the ZooKeeper reads made (the
   * watched trees' own are counted by the trees).
   */
  MonitorInputs inputs(
      WatchedTree<MemberRecord> watchedMembers,
      WatchedTree<HealthReport> watchedHealth,
      WatchedTree<AppliedConfig> watchedApplied,
      List<Rule> current,
      Instant now,
      List<SinkStatus> sinks,
      long[] reads) {
    Set<RuleKind> kinds = new TreeSet<>();
    current.forEach(r -> kinds.add(r.kind()));
    Map<String, Map<String, MemberRecord>> members = watchedMembers.byGroup();
    Map<String, Map<String, HealthReport>> health = watchedHealth.byGroup();
    Map<String, AppliedConfig> applied = watchedApplied.byGroup().getOrDefault("", Map.of());
    Map<String, Integer> scopeVersions = new TreeMap<>();
    if (kinds.contains(RuleKind.CONFIG_DRIFT)) {
      // Only scopes that exist can be ahead of a member: most member scopes were never written,
      // so listing the folders first keeps the reads to the scopes that hold configuration.
      Set<String> stored = new TreeSet<>();
      ScopeListing.scopes(session, ZkLayout.CONFIG).forEach(s -> stored.add(s.path()));
      reads[0] += 3;
      Set<String> scopes = new TreeSet<>();
      applied.values().forEach(a -> scopes.addAll(a.versions().keySet()));
      scopes.retainAll(stored);
      for (String scope : scopes) {
        try {
          scopeVersions.put(scope, pk.config().version(Scope.parse(scope)));
          reads[0]++;
        } catch (InvalidInputException malformed) {
          // a member's record names a scope that is not one: nothing to compare with
        }
      }
    }
    Map<String, MonitorInputs.RoleState> roles = new TreeMap<>();
    if (kinds.contains(RuleKind.NO_LEADER)) {
      List<Roles.Role> listed = Roles.list(session);
      reads[0] += 2 + 2 * listed.size();
      for (Roles.Role role : listed) {
        int contenders = role.contenders().size();
        boolean retired = false;
        if (contenders == 0 && role.epoch() > 0) {
          retired = Roles.retirement(session, role).isPresent();
          reads[0]++;
        }
        roles.put(role.name(), new MonitorInputs.RoleState(role.epoch(), contenders, retired));
      }
    }
    Optional<List<ServerStatus>> ensemble = Optional.empty();
    if (kinds.contains(RuleKind.ZOOKEEPER)) {
      String connect = settings.ensemble() != null ? settings.ensemble() : session.connectString();
      ensemble = Optional.of(ensembleProbe.probe(connect, clientConfig()));
    }
    Map<String, ProbeReport> reports = new TreeMap<>();
    boolean wantsProbes =
        kinds.contains(RuleKind.KAFKA) || kinds.stream().anyMatch(RuleEvaluator::needsOffsets);
    if (wantsProbes) {
      Set<String> known = new TreeSet<>(members.keySet());
      known.addAll(health.keySet());
      Set<String> groups = RuleEvaluator.offsetGroups(current, known);
      for (MonitorProbe probe : probes) {
        ProbeReport report;
        try {
          report = probe.probe(groups);
        } catch (RuntimeException e) {
          report = ProbeReport.unreachable(probe.system(), e.toString(), now);
        }
        reports.put(probe.system(), report);
      }
    }
    Map<String, MonitorInputs.GroupWork> work = new TreeMap<>();
    if (kinds.contains(RuleKind.UNASSIGNED_UNITS)) {
      work = work(reads);
    }
    return new MonitorInputs(
        now, members, health, applied, scopeVersions, roles, ensemble, reports, sinks, work);
  }

  /**
   * Each group's units against its published assignment: one listing of the groups with units, then
   * per group its units and its assignment (a group without one has no leader that judged).
   */
  private Map<String, MonitorInputs.GroupWork> work(long[] reads) {
    Map<String, MonitorInputs.GroupWork> work = new TreeMap<>();
    List<String> groups = session.children(ZkLayout.UNITS);
    reads[0]++;
    for (String group : groups) {
      List<String> units;
      Optional<dev.pipekeeper.core.assignment.Assignment> assignment;
      try {
        units = session.children(ZkLayout.units(group));
        assignment = pk.assignments(group).current();
      } catch (InvalidInputException foreign) {
        continue; // a node no group could be named: not Pipekeeper's
      }
      reads[0] += 2;
      if (!units.isEmpty() && assignment.isPresent()) {
        work.put(
            group, new MonitorInputs.GroupWork(units.size(), assignment.get().unassigned(units)));
      }
    }
    return work;
  }

  /**
   * Who left without a graceful leave: less those an operator drained ({@code drains/GROUP/ID}
   * outlives the member) and those that closed ({@code members-left/GROUP} names them since they
   * started), whose leave was planned even if the monitor never saw them DRAINING or STOPPING.
   */
  Map<String, Map<String, Rosters.Departure>> undrained(Rosters rosters, long[] reads) {
    Map<String, Map<String, Rosters.Departure>> departed = rosters.departures();
    Map<String, Map<String, Rosters.Departure>> out = new TreeMap<>();
    departed.forEach(
        (group, gone) -> {
          Set<String> drained = new TreeSet<>(session.children(ZkLayout.drains(group)));
          Map<String, java.time.Instant> graceful = GracefulLeaves.of(session, group);
          reads[0] += 2;
          Map<String, Rosters.Departure> left = new TreeMap<>(gone);
          for (String id : drained) {
            if (left.remove(id) != null) {
              rosters.forget(group, id);
            }
          }
          graceful.forEach(
              (id, at) -> {
                Rosters.Departure d = left.get(id);
                // a leave recorded since this member started is this member's: it closed
                if (d != null && (d.startedAt() == null || !at.isBefore(d.startedAt()))) {
                  left.remove(id);
                  rosters.forget(group, id);
                }
              });
          if (!left.isEmpty()) {
            out.put(group, left);
          }
        });
    return out;
  }

  static Optional<HealthReport> health(String path, byte[] data) {
    try {
      return Optional.of(Json.read(data, HealthReport.class));
    } catch (IOException e) {
      LOG.debug("skipping unreadable health record {}: {}", path, e.getMessage());
      return Optional.empty();
    }
  }

  static Optional<AppliedConfig> applied(String path, byte[] data) {
    try {
      return Optional.of(Json.read(data, AppliedConfig.class));
    } catch (IOException e) {
      LOG.debug("skipping unreadable applied record {}: {}", path, e.getMessage());
      return Optional.empty();
    }
  }

  /** Ends the ensemble's threads; the probes are the monitor's to close. */
  @Override
  public void close() {
    ensembleThreads.shutdownNow();
  }
}
