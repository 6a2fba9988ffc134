package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.leader.Leadership;
import java.io.IOException;
import java.time.Duration;

/**
 * The leader that {@link TakeoverBench} kills with {@code kill -9}: a child JVM that contends for
 * one role and says so on standard output. Lines: {@code SESSION <negotiated ms>} once connected,
 * {@code LEADING <epoch>} when granted. It leaves when its standard input closes, so it never
 * outlives the harness that started it.
 *
 * <p>Arguments: connect string, cluster, role, session timeout in ms.
 */
public final class TakeoverLeader {
  private TakeoverLeader() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      throw new IllegalArgumentException("usage: CONNECT CLUSTER ROLE SESSION_MS");
    }
    try (Pipekeeper pk =
        Pipekeeper.builder()
            .zookeeper(args[0])
            .cluster(args[1])
            .identity("killed-leader")
            .sessionTimeout(Duration.ofMillis(Long.parseLong(args[3])))
            .build()) {
      System.out.println("SESSION " + pk.negotiatedSessionTimeout().toMillis());
      System.out.flush();
      Leadership leadership =
          pk.leadership(args[2])
              .onGranted(
                  lease -> {
                    System.out.println("LEADING " + lease.epoch());
                    System.out.flush();
                  })
              .start();
      while (System.in.read() >= 0) {
        // wait for the end of standard input
      }
      leadership.close();
    }
  }
}
