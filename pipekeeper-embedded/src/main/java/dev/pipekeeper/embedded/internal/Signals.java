package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.EmbeddedServerException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Sends POSIX signals with the platform's {@code kill} command (Linux and macOS). */
public final class Signals {
  private Signals() {}

  /**
   * Sends {@code SIG<name>} (e.g. {@code STOP}, {@code CONT}) to {@code pid}.
   *
   * @throws EmbeddedServerException if it could not be sent
   */
  public static void send(long pid, String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new EmbeddedServerException("kill -" + name + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot send SIG" + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted while sending SIG" + name, e);
    }
  }
}
