package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Processor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Settings of a PARALLEL, EXACTLY_ONCE pipeline of strings with the builder's defaults, for tests
 * of the parts that need no connection (which is null).
 */
final class TestSettings {
  private TestSettings() {}

  static PipelineSettings<String, String, String, String> of(
      String name,
      Processor<String, String, String, String> processor,
      int retries,
      Map<String, Object> kafka) {
    return new PipelineSettings<>(
        name,
        Serdes.String(),
        Serdes.String(),
        Serdes.String(),
        Serdes.String(),
        null,
        "127.0.0.1:9092",
        List.of("in"),
        processor,
        Mode.PARALLEL,
        Guarantee.EXACTLY_ONCE,
        name + ".dlq",
        retries,
        Duration.ofSeconds(30),
        kafka,
        null,
        name + ".positions",
        new SimpleMeterRegistry(),
        Duration.ofSeconds(5));
  }
}
