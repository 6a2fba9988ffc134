package dev.pipekeeper.embedded;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Thread leak checks: the names of live threads that a server started. */
final class Leaks {
  private Leaks() {}

  static Set<Long> threadIds() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getId)
        .collect(Collectors.toSet());
  }

  /** Threads alive now that were not alive at {@code before}, less JVM-wide shared pools. */
  static List<String> newThreads(Set<Long> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> !before.contains(t.getId()))
        .map(Thread::getName)
        .filter(name -> !name.startsWith("ForkJoinPool.commonPool"))
        .filter(name -> !name.startsWith("awaitility"))
        // Yammer metrics' registry (used by Kafka's broker) keeps one tick pool per JVM.
        .filter(name -> !name.startsWith("metrics-meter-tick-thread"))
        .filter(name -> !name.equals("Attach Listener"))
        .sorted()
        .collect(Collectors.toList());
  }
}
