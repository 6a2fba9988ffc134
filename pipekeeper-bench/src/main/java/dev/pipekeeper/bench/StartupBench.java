package dev.pipekeeper.bench;

import dev.pipekeeper.embedded.ChildProcess;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How long the embedded servers take to be ready and how much memory they use, on this machine.
 * Ready means: ZooKeeper answers {@code srvr} with a mode on every server; Kafka answers an Admin
 * client's {@code describeCluster}. Memory: for a child process, its resident set (VmRSS) once
 * ready; in-process, the growth of this JVM's used heap after a full GC (a rough figure).
 *
 * <p>Run: {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.args=5} (the argument is the number of starts per case).
 */
public final class StartupBench {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private StartupBench() {}

  public static void main(String[] args) throws IOException {
    int runs = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 5;
    Map<String, Supplier<AutoCloseable>> cases = new LinkedHashMap<>();
    cases.put("ZooKeeper, 1 server, in-process", () -> zk(1, Launch.IN_PROCESS));
    cases.put("ZooKeeper, 3-server quorum, in-process", () -> zk(3, Launch.IN_PROCESS));
    cases.put("ZooKeeper, 1 server, child process", () -> zk(1, Launch.CHILD_PROCESS));
    cases.put("Kafka KRaft broker, in-process", () -> kafka(Launch.IN_PROCESS));
    cases.put("Kafka KRaft broker, child process", () -> kafka(Launch.CHILD_PROCESS));

    // The first start of each case in this JVM pays for class loading (as a test JVM's first
    // start does); it is reported apart from the later, warm starts.
    StringBuilder report = new StringBuilder();
    report.append(
        "| server | first start (ms) | warm starts | warm p50 (ms) | warm max (ms) | memory p50 (MiB) |\n");
    report.append("| --- | --- | --- | --- | --- | --- |\n");
    for (Map.Entry<String, Supplier<AutoCloseable>> entry : cases.entrySet()) {
      Stats ready = new Stats();
      Stats memory = new Stats();
      double first = Double.NaN;
      for (int i = 0; i <= runs; i++) {
        long heapBefore = usedHeapAfterGc();
        long start = System.nanoTime();
        try (AutoCloseable server = entry.getValue().get()) {
          double millis = (System.nanoTime() - start) / 1e6;
          if (i == 0) {
            first = millis;
          } else {
            ready.add(millis);
          }
          memory.add(memoryOf(server, heapBefore) / (1024.0 * 1024.0));
        } catch (Exception e) {
          throw new IllegalStateException(entry.getKey() + " failed: " + e.getMessage(), e);
        }
      }
      report.append(
          String.format(
              "| %s | %.0f | %d | %.0f | %.0f | %.0f |%n",
              entry.getKey(),
              first,
              runs,
              ready.percentile(50),
              ready.max(),
              memory.percentile(50)));
      System.err.println("done: " + entry.getKey());
    }
    System.out.println(
        "Java "
            + System.getProperty("java.version")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores");
    System.out.print(report);
  }

  private static EmbeddedZooKeeper zk(int servers, Launch launch) {
    return EmbeddedZooKeeper.builder().servers(servers).launch(launch).build().start();
  }

  private static EmbeddedKafka kafka(Launch launch) {
    return EmbeddedKafka.builder().launch(launch).build().start();
  }

  private static long memoryOf(AutoCloseable server, long heapBefore) throws IOException {
    List<ChildProcess> children =
        server instanceof EmbeddedKafka kafka
            ? kafka.childProcess().stream().toList()
            : ((EmbeddedZooKeeper) server)
                .servers().stream().flatMap(node -> node.childProcess().stream()).toList();
    if (children.isEmpty()) {
      return Math.max(0, usedHeapAfterGc() - heapBefore);
    }
    long total = 0;
    for (ChildProcess child : children) {
      total += residentBytes(child.pid());
    }
    return total;
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static long residentBytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }
}
