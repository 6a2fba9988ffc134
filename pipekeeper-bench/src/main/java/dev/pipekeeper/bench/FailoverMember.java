package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.membership.MemberInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The member that {@link FailoverBench} kills with {@code kill -9}: a child JVM that joins a group
 * as a worker with the given id and runs whatever units it is assigned (doing nothing with them).
 * Lines: {@code SESSION <negotiated ms>} once connected, {@code RUNNING <count>} whenever the
 * number of units it runs changes. It leaves when its standard input closes.
 *
 * <p>Arguments: connect string, cluster, group, member id, session timeout in ms, debounce in ms.
 */
public final class FailoverMember {
  private FailoverMember() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 6) {
      throw new IllegalArgumentException("usage: CONNECT CLUSTER GROUP ID SESSION_MS DEBOUNCE_MS");
    }
    AtomicInteger running = new AtomicInteger();
    UnitHandler handler =
        new UnitHandler() {
          @Override
          public void start(UnitOwnership unit) {
            report(running.incrementAndGet());
          }

          @Override
          public void stop(UnitOwnership unit) {
            report(running.decrementAndGet());
          }
        };
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(args[0])
            .cluster(args[1])
            .identity(args[3])
            .sessionTimeout(Duration.ofMillis(Long.parseLong(args[4])))
            .build()) {
      System.out.println("SESSION " + pk.negotiatedSessionTimeout().toMillis());
      System.out.flush();
      GroupWorker worker =
          pk.worker(
              args[2],
              MemberInfo.defaults().id(args[3]),
              handler,
              WorkerOptions.defaults()
                  .withDebounce(Duration.ofMillis(Long.parseLong(args[5])))
                  .withStopTimeout(Duration.ofMillis(Long.parseLong(args[4]) / 4)));
      while (System.in.read() >= 0) {
        // wait for the end of standard input
      }
      worker.close();
    }
  }

  private static synchronized void report(int count) {
    System.out.println("RUNNING " + count);
    System.out.flush();
  }
}
