package dev.pipekeeper.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Workers of one group in a test, all recording into one {@link OwnershipLog}; {@link #close()}
 * closes everything the test opened (last first) and then runs the ownership checker.
 */
public final class WorkerFixture implements AutoCloseable {
  public static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(20));
  public static final String GROUP = "ingest";
  public static final WorkerOptions FAST =
      WorkerOptions.defaults()
          .withDebounce(Duration.ofMillis(100))
          .withStopTimeout(Duration.ofMillis(500));

  private final TestCluster cluster;
  private final OwnershipLog log = new OwnershipLog();
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  public WorkerFixture(TestCluster cluster) {
    this.cluster = cluster;
  }

  public OwnershipLog log() {
    return log;
  }

  /** A connection with a short (2 s) session, closed with the fixture. */
  public Pipekeeper connect(String id) {
    return keep(Clients.connect(cluster, id));
  }

  /** Closes {@code resource} with the fixture, before what was kept earlier. */
  public <T extends AutoCloseable> T keep(T resource) {
    open.push(resource);
    return resource;
  }

  public GroupWorker worker(Pipekeeper pk, MemberInfo info, WorkerOptions options) {
    String id = info.id().orElseThrow();
    return keep(pk.worker(GROUP, info, log.handler(id), options));
  }

  public GroupWorker worker(Pipekeeper pk, String id) {
    return worker(pk, MemberInfo.defaults().id(id), FAST);
  }

  /** Puts units {@code tenant-00}, {@code tenant-01}, ... */
  public List<String> units(Pipekeeper pk, int count) {
    List<String> names =
        IntStream.range(0, count).mapToObj(i -> String.format("tenant-%02d", i)).toList();
    names.forEach(name -> pk.workUnits(GROUP).put(WorkUnit.of(name)));
    return names;
  }

  /**
   * Waits until every unit runs, each on one member, and each of {@code members} its even share.
   */
  public void awaitSpread(int units, String... members) {
    int floor = units / members.length;
    int ceil = (units + members.length - 1) / members.length;
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(log.running()).hasSize(units);
              for (String member : members) {
                assertThat(log.runningOn(member).size())
                    .as("units of %s", member)
                    .isBetween(floor, ceil);
              }
            });
  }

  @Override
  public void close() {
    while (!open.isEmpty()) {
      try {
        open.pop().close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a test resource failed", e);
      }
    }
    log.check();
  }
}
