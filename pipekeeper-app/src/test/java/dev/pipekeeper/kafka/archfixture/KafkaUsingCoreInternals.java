package dev.pipekeeper.kafka.archfixture;

import dev.pipekeeper.core.internal.Serial;

/** A deliberate violation: the Kafka side reaching into core's internals. */
public class KafkaUsingCoreInternals {
  public void run() {
    try (Serial serial = new Serial("fixture")) {
      serial.execute("nothing", () -> {});
    }
  }
}
