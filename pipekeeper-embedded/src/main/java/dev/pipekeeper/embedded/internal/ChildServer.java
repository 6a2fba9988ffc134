package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.ChildProcess;
import dev.pipekeeper.embedded.EmbeddedServerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server in a child JVM started from this JVM's classpath with {@link ChildMain}. The child
 * prints {@value ChildMain#READY} when its server is up; everything else it prints goes to {@code
 * child.log} in its work folder. The child stops itself when its standard input closes, so it never
 * outlives this JVM.
 */
public final class ChildServer implements ChildProcess {
  private static final int LOG_TAIL_LINES = 20;

  private final Process process;
  private final Path log;
  private final CompletableFuture<String> ready = new CompletableFuture<>();
  private final Deque<String> tail = new ArrayDeque<>();

  private ChildServer(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a child and waits until it reports ready.
   *
   * @param properties the server's properties, with the {@code pipekeeper.child.*} keys that {@link
   *     ChildMain} reads
   * @return the started child
   * @throws EmbeddedServerException if it exits or is not ready within {@code timeout}; the message
   *     then carries the end of its log
   */
  public static ChildServer start(
      Properties properties, Path workDir, List<String> jvmOptions, Duration timeout) {
    Dirs.create(workDir);
    Path configFile = workDir.resolve("child.properties");
    // It may hold a secured server's passwords: readable by its owner only.
    try {
      OwnerOnly.createFile(configFile);
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot create " + configFile, e);
    }
    try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
      properties.store(out, "pipekeeper embedded child server");
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot write " + configFile, e);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ChildMain.class.getName());
    command.add(configFile.toString());
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot start a child JVM: " + e.getMessage(), e);
    }
    ChildServer child = new ChildServer(process, workDir.resolve("child.log"));
    Thread pump = new Thread(child::pumpOutput, "pipekeeper-child-" + process.pid() + "-output");
    pump.setDaemon(true);
    pump.start();
    child.awaitReady(timeout);
    return child;
  }

  /** What the child printed after the ready marker (its address). */
  public String readyInfo() {
    return ready.getNow("");
  }

  private void awaitReady(Duration timeout) {
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new EmbeddedServerException("interrupted while waiting for a child server", e);
    } catch (ExecutionException | TimeoutException e) {
      kill();
      throw new EmbeddedServerException(
          "child server (pid "
              + process.pid()
              + ") was not ready within "
              + timeout.toMillis()
              + " ms; its log "
              + log
              + " ends with:\n"
              + lastLines(),
          e);
    }
  }

  private void pumpOutput() {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(ChildMain.READY)) {
          ready.complete(line.substring(ChildMain.READY.length()).trim());
        }
        out.write(line);
        out.write(System.lineSeparator());
        out.flush();
        remember(line);
      }
    } catch (IOException e) {
      // the pipe closes when the child dies; the exit is reported below
    }
    ready.completeExceptionally(
        new EmbeddedServerException("child server exited before it was ready"));
  }

  private synchronized void remember(String line) {
    tail.addLast(line);
    if (tail.size() > LOG_TAIL_LINES) {
      tail.removeFirst();
    }
  }

  private synchronized String lastLines() {
    return String.join("\n", tail);
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
    signal("STOP");
  }

  @Override
  public void resume() {
    signal("CONT");
  }

  @Override
  public void stop(Duration timeout) {
    if (!process.isAlive()) {
      return;
    }
    // A paused child cannot act on SIGTERM until it runs again.
    signal("CONT");
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.flush();
    } catch (IOException ignored) {
      // closing stdin is the second way we ask the child to stop; SIGTERM is the first
    }
    process.destroy();
    if (!waitFor(timeout)) {
      kill();
    }
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void signal(String name) {
    if (!process.isAlive()) {
      throw new EmbeddedServerException("child server (pid " + pid() + ") is not running");
    }
    Signals.send(pid(), name);
  }
}
