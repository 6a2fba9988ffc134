package dev.pipekeeper.core.health;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Health records for tests that need one to be there, not to say anything in particular. */
public final class HealthReports {
  private HealthReports() {}

  /** A RUNNING member of {@code group} that processed one record, published now. */
  public static HealthReport running(String group, String member) {
    return new HealthReport(
        group,
        member,
        "RUNNING",
        1,
        1.0,
        1.0,
        0,
        0.0,
        Instant.now(),
        Map.of(),
        Map.of(),
        List.of(),
        Instant.now());
  }
}
