package dev.pipekeeper.embedded;

import dev.pipekeeper.embedded.internal.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Any main class run in a JVM of its own, on this JVM's classpath: a member, a pipeline instance or
 * a client that a fault test kills ({@code SIGKILL}), pauses ({@code SIGSTOP}) and resumes. The
 * child reports on standard output, one line per event, which {@link #awaitLine} reads; its
 * standard error goes to this JVM's.
 *
 * <p>Its standard input stays open while it runs: a child should exit when it closes (read {@code
 * System.in} to its end), so that it never outlives the test that started it. Thread-safe.
 */
public final class ChildJvm implements ChildProcess, AutoCloseable {
  /** The JVM options of {@link #start(Class, List)}: a small-heap client. */
  public static final List<String> CLIENT_OPTIONS =
      List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread reader = new Thread(this::read, "pipekeeper-child-jvm-" + process.pid() + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code main} with {@code args}, with small-heap client JVM options. */
  public static ChildJvm start(Class<?> main, List<String> args) {
    return start(main, args, CLIENT_OPTIONS);
  }

  /** Starts {@code main} with {@code args} and the given JVM options. */
  public static ChildJvm start(Class<?> main, List<String> args, List<String> jvmOptions) {
    return start(main.getName(), System.getProperty("java.class.path"), args, jvmOptions);
  }

  /**
   * Starts the main class named {@code main} on the given class path (entries separated by the
   * platform's path separator) rather than this JVM's: a stock tool (a Kafka Connect worker) that
   * must find a plugin somewhere else.
   */
  public static ChildJvm start(
      String main, String classPath, List<String> args, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(main);
    command.addAll(args);
    try {
      return new ChildJvm(
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a child JVM for " + main, e);
    }
  }

  private void read() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the pipe closes when the child dies
    }
  }

  /** Every line the child printed so far. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /**
   * Waits for a line starting with {@code prefix} followed by a space, from the first line on
   * (earlier lines count too), and returns the rest of it.
   *
   * @throws EmbeddedServerException if none came within {@code timeout} or the child died first
   */
  public String awaitLine(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (lines.get(seen).startsWith(prefix + " ")) {
            return lines.get(seen).substring(prefix.length() + 1);
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || !process.isAlive()) {
          throw new EmbeddedServerException(
              "child JVM (pid "
                  + pid()
                  + ") did not print "
                  + prefix
                  + (process.isAlive()
                      ? " within " + timeout.toMillis() + " ms"
                      : " before exiting"));
        }
        try {
          lines.wait(Math.min(left, 100));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EmbeddedServerException("interrupted while waiting for " + prefix, e);
        }
      }
    }
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  @Override
  public void pause() {
    Signals.send(pid(), "STOP");
  }

  @Override
  public void resume() {
    Signals.send(pid(), "CONT");
  }

  /** Closes its standard input (resuming it first), waits up to {@code timeout}, then kills it. */
  @Override
  public void stop(Duration timeout) {
    if (!process.isAlive()) {
      return;
    }
    try {
      Signals.send(pid(), "CONT"); // a paused child cannot see its input close
    } catch (EmbeddedServerException gone) {
      // it died meanwhile
    }
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    if (!waitFor(timeout)) {
      kill();
    }
  }

  /**
   * Sends SIGTERM (resuming it first), as an operator or a service manager stops a process, and
   * waits up to {@code timeout} for it to exit; kills it if it did not.
   *
   * @return its exit code, or -1 if it had to be killed
   */
  public int terminate(Duration timeout) {
    if (process.isAlive()) {
      Signals.send(pid(), "CONT");
      Signals.send(pid(), "TERM");
      if (!waitFor(timeout)) {
        kill();
        return -1;
      }
    }
    return process.exitValue();
  }

  /** {@link #stop(Duration)} with 10 s. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
