package dev.pipekeeper.core.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.MonitorProbe;
import dev.pipekeeper.core.monitor.ProbeReport;
import dev.pipekeeper.core.monitor.internal.TestSinks.ScriptedSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MonitorSettingsTest {

  /** A probe that reports its system reachable, with no offsets. */
  private record NamedProbe(String system) implements MonitorProbe {
    @Override
    public ProbeReport probe(Set<String> groups) {
      return new ProbeReport(system, true, Optional.empty(), Map.of(), Instant.EPOCH);
    }
  }

  private static MonitorSettings settings(
      List<AlertSink> sinks, boolean logSink, List<MonitorProbe> probes) {
    return new MonitorSettings(
        Duration.ofSeconds(5),
        sinks,
        logSink,
        probes,
        null,
        Clock.systemUTC(),
        Duration.ofMinutes(10),
        1000,
        1000,
        Duration.ofMillis(500),
        Duration.ofSeconds(30),
        null,
        Duration.ofSeconds(2));
  }

  @Test
  void twoProbesOfOneSystemAreRefusedNamingIt() {
    List<MonitorProbe> twice =
        List.of(new NamedProbe("kafka"), new NamedProbe("other"), new NamedProbe("kafka"));
    assertThatThrownBy(() -> settings(List.of(), true, twice))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("two monitor probes are of the system 'kafka'");
  }

  @Test
  void probesOfDifferentSystemsAreKeptInOrder() {
    List<MonitorProbe> probes = List.of(new NamedProbe("kafka"), new NamedProbe("kafka-dr"));
    assertThat(settings(List.of(), true, probes).probes()).isEqualTo(probes);
  }

  @Test
  void twoSinksOfOneNameAreRefusedAndTheLogSinkTakesLog() {
    assertThatThrownBy(
            () -> settings(List.of(new ScriptedSink("x"), new ScriptedSink("x")), false, List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("two alert sinks are named 'x'");
    assertThatThrownBy(() -> settings(List.of(new ScriptedSink("log")), true, List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("two alert sinks are named 'log'");
    assertThat(settings(List.of(new ScriptedSink("log")), false, List.of()).sinks()).hasSize(1);
  }
}
