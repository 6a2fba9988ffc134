package dev.pipekeeper.app.demo;

import dev.pipekeeper.app.Main;
import java.io.IOException;
import java.io.InputStream;

/**
 * One demo instance: {@code pipekeeper run ...} in a child JVM that stops gracefully (as on
 * SIGTERM) when its standard input closes, so no instance outlives the demo, however the demo ends.
 */
public final class DemoChild {
  private DemoChild() {}

  public static void main(String[] args) {
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // the demo never writes; only the end of input matters
                }
              } catch (IOException e) {
                // the pipe broke: the demo is gone
              }
              System.exit(143); // runs the shutdown hook: a graceful stop, as SIGTERM would
            },
            "pipekeeper-demo-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Main.main(args);
  }
}
