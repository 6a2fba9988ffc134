package dev.pipekeeper.core.assignment;

import static dev.pipekeeper.core.testing.WorkerFixture.BOUND;
import static dev.pipekeeper.core.testing.WorkerFixture.FAST;
import static dev.pipekeeper.core.testing.WorkerFixture.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.core.testing.WorkerProcess;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member in a real separate process, paused with SIGSTOP past its session timeout while another
 * member takes its unit over, then resumed: the moment it runs again its ownership is invalid, so
 * it does no work on the unit while the other member runs it, before its ZooKeeper client has even
 * noticed that the session is gone.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class GroupWorkerProcessIT {

  /**
   * When the in-process member ran each unit, in wall-clock milliseconds (shared with the child).
   */
  private record Interval(String unit, long from, AtomicLong to) {}

  @Test
  void aPausedMemberDoesNoWorkOnAUnitAfterItMoved(TestCluster cluster) {
    List<Interval> ofB = new CopyOnWriteArrayList<>();
    UnitHandler recorder =
        new UnitHandler() {
          @Override
          public void start(UnitOwnership unit) {
            ofB.add(
                new Interval(
                    unit.unit(), System.currentTimeMillis(), new AtomicLong(Long.MAX_VALUE)));
          }

          @Override
          public void stop(UnitOwnership unit) {
            long now = System.currentTimeMillis();
            ofB.stream()
                .filter(i -> i.unit().equals(unit.unit()) && i.to().get() == Long.MAX_VALUE)
                .forEach(i -> i.to().set(now));
          }
        };
    try (Pipekeeper b = Clients.connect(cluster, "b")) {
      b.workUnits(GROUP).put(WorkUnit.of("tenant-00"));
      b.workUnits(GROUP).put(WorkUnit.of("tenant-01"));
      try (ChildJvm p =
          ChildJvm.start(
              WorkerProcess.class,
              List.of(cluster.zkConnect(), cluster.cluster(), GROUP, "p", "2000"))) {
        p.awaitLine("SESSION", Duration.ofSeconds(60));
        p.awaitLine("STARTED", BOUND);
        GroupWorker wb = b.worker(GROUP, MemberInfo.defaults().id("b"), recorder, FAST);
        Map<String, String> settled = awaitSettled(b, "p", "b");
        String moving =
            settled.entrySet().stream()
                .filter(e -> e.getValue().equals("p"))
                .findFirst()
                .orElseThrow()
                .getKey();
        await().atMost(BOUND).until(() -> workLines(p, moving).size() > 10); // p works on it

        p.pause();
        await().atMost(BOUND).until(() -> wb.running().size() == 2); // b took it over
        p.resume();
        awaitSettled(b, "p", "b"); // p is back with a new session and a unit again
        p.stop(Duration.ofSeconds(10));

        List<Long> zombieWork = new ArrayList<>();
        for (long at : workLines(p, moving)) {
          for (Interval run : ofB) {
            if (run.unit().equals(moving) && at >= run.from() && at < run.to().get()) {
              zombieWork.add(at);
            }
          }
        }
        assertThat(zombieWork).as("p worked on %s while b ran it: %s", moving, ofB).isEmpty();
        assertThat(ofB).as("b ran %s", moving).anyMatch(i -> i.unit().equals(moving));
        wb.close();
      }
    }
  }

  /** Waits until both members run one unit each with nothing pending; unit → member. */
  private static Map<String, String> awaitSettled(Pipekeeper pk, String... members) {
    return await()
        .atMost(BOUND.multipliedBy(2))
        .until(
            () -> pk.assignments(GROUP).status(),
            s ->
                s.pendingMoves().isEmpty()
                    && s.owners().size() == 2
                    && s.owners().values().containsAll(List.of(members)))
        .owners();
  }

  private static List<Long> workLines(ChildJvm p, String unit) {
    String prefix = "WORK " + unit + " ";
    return p.lines().stream()
        .filter(line -> line.startsWith(prefix))
        .map(line -> Long.parseLong(line.substring(prefix.length())))
        .toList();
  }
}
