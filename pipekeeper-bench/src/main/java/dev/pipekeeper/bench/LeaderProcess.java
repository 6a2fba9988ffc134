package dev.pipekeeper.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started from this JVM's classpath ({@link TakeoverLeader}, {@link FailoverMember}),
 * to be killed with {@code kill -9}. It reports on standard output, one {@code WORD value} per
 * line; its standard error goes to this JVM's.
 */
final class LeaderProcess implements AutoCloseable {
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private LeaderProcess(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            "bench-leader-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the child; it connects and contends for {@code role} at once. */
  static LeaderProcess start(String connect, String cluster, String role, int sessionMs) {
    return start(
        TakeoverLeader.class, List.of(connect, cluster, role, Integer.toString(sessionMs)));
  }

  /** Starts {@code main} with {@code args} in a child JVM on this JVM's classpath. */
  static LeaderProcess start(Class<?> main, List<String> args) {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    try {
      return new LeaderProcess(
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the child JVM " + main.getSimpleName(), e);
    }
  }

  /**
   * Waits for a line starting with {@code prefix} and returns the rest of it.
   *
   * @throws IllegalStateException if none came within {@code timeout}
   */
  String await(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IllegalStateException(
            "the leader JVM did not print " + prefix + " within " + timeout.toMillis() + " ms");
      }
      if (line.startsWith(prefix + " ")) {
        return line.substring(prefix.length() + 1);
      }
    }
  }

  /** {@code kill -9}: on Linux, {@link Process#destroyForcibly()} sends SIGKILL. */
  void kill() {
    process.destroyForcibly();
  }

  /**
   * Ends the child: closing its standard input asks it to leave; after 10 s (or if this thread is
   * interrupted) it is killed.
   */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
