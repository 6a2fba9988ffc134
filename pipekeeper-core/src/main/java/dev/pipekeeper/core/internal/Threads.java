package dev.pipekeeper.core.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way core makes its threads: daemons (a forgotten Pipekeeper never keeps a JVM alive),
 * named {@code pipekeeper-...} so that a thread dump, a log line and a leak check can tell whose
 * they are.
 */
public final class Threads {
  private Threads() {}

  /** A daemon thread named {@code name} that runs {@code task}, not started. */
  public static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Makes daemon threads all named {@code name}. */
  public static ThreadFactory named(String name) {
    return task -> daemon(name, task);
  }

  /** Makes daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> daemon(prefix + "-" + count.incrementAndGet(), task);
  }
}
