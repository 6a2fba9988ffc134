package dev.pipekeeper.embedded;

import java.time.Duration;

/**
 * A server running in a separate JVM, for fault tests: it can be killed without warning or paused
 * and resumed like a process stopped by a debugger or a long GC pause.
 *
 * <p>Thread-safe. The signals are sent with the platform's {@code kill} command, so pausing is
 * available on Linux and macOS only.
 */
public interface ChildProcess {

  /** The operating-system process id. */
  long pid();

  /** Whether the process is still alive (a paused process is alive). */
  boolean isAlive();

  /** Sends {@code SIGKILL} and waits for the process to be gone. */
  void kill();

  /** Sends {@code SIGSTOP}: the process stops running but keeps its sockets open. */
  void pause();

  /** Sends {@code SIGCONT} to a paused process. */
  void resume();

  /** Asks the process to stop ({@code SIGTERM}) and waits up to {@code timeout}, then kills it. */
  void stop(Duration timeout);
}
