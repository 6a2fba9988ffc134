package dev.pipekeeper.kafka.archfixture;

import dev.pipekeeper.core.internal.Threads;

/**
 * A deliberate violation: the Kafka side reaching into core's internals beyond the two it may use
 * ({@code Durations} and {@code Serial}).
 */
public class KafkaUsingCoreInternals {
  public void run() {
    Threads.daemon("fixture", () -> {}).start();
  }
}
