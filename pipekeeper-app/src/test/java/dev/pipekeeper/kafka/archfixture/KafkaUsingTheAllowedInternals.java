package dev.pipekeeper.kafka.archfixture;

import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.internal.Serial;
import java.time.Duration;

/** The two of core's insides the Kafka side may use: {@code Durations} and {@code Serial}. */
public class KafkaUsingTheAllowedInternals {
  public void run() {
    try (Serial serial = new Serial("fixture")) {
      serial.execute(Durations.format(Duration.ofSeconds(1)), () -> {});
    }
  }
}
