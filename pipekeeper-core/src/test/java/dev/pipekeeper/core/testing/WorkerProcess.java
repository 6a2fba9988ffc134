package dev.pipekeeper.core.testing;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkerOptions;
import dev.pipekeeper.core.membership.MemberInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker in a JVM of its own, for fault tests that pause or kill a real process. Each unit it
 * runs has a thread that does "work" as long as its ownership is valid: it checks {@link
 * UnitOwnership#isValid()} every 0.1 ms and prints {@code WORK <unit> <epoch ms>} at most once a
 * millisecond while valid. Other lines: {@code SESSION <ms>}, {@code STARTED <unit> <epoch ms>},
 * {@code STOPPED <unit> <epoch ms>}. It leaves when its standard input closes.
 *
 * <p>Arguments: connect string, cluster, group, member id, session timeout in ms.
 */
public final class WorkerProcess {
  private WorkerProcess() {}

  public static void main(String[] args) throws IOException {
    Map<String, AtomicBoolean> stops = new ConcurrentHashMap<>();
    Map<String, Thread> threads = new ConcurrentHashMap<>();
    UnitHandler handler =
        new UnitHandler() {
          @Override
          public void start(UnitOwnership unit) {
            AtomicBoolean stop = new AtomicBoolean();
            stops.put(unit.unit(), stop);
            print("STARTED " + unit.unit() + " " + System.currentTimeMillis());
            Thread work = new Thread(() -> work(unit, stop), "work-" + unit.unit());
            threads.put(unit.unit(), work);
            work.start();
          }

          @Override
          public void stop(UnitOwnership unit) {
            stops.remove(unit.unit()).set(true);
            try {
              threads.remove(unit.unit()).join();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            print("STOPPED " + unit.unit() + " " + System.currentTimeMillis());
          }
        };
    long sessionMs = Long.parseLong(args[4]);
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(args[0])
            .cluster(args[1])
            .identity(args[3])
            .sessionTimeout(Duration.ofMillis(sessionMs))
            .build()) {
      print("SESSION " + pk.negotiatedSessionTimeout().toMillis());
      GroupWorker worker =
          pk.worker(
              args[2],
              MemberInfo.defaults().id(args[3]),
              handler,
              WorkerOptions.defaults()
                  .withDebounce(Duration.ofMillis(100))
                  .withStopTimeout(Duration.ofMillis(sessionMs / 4)));
      while (System.in.read() >= 0) {
        // wait for the end of standard input
      }
      worker.close();
    }
  }

  private static void work(UnitOwnership unit, AtomicBoolean stop) {
    long last = 0;
    while (!stop.get()) {
      long now = System.currentTimeMillis();
      if (unit.isValid() && now != last) {
        print("WORK " + unit.unit() + " " + now);
        last = now;
      }
      LockSupport.parkNanos(100_000);
    }
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
