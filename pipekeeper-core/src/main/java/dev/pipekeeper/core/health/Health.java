package dev.pipekeeper.core.health;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Members' health records: published by members, read by operators and the monitor. */
public interface Health {

  /**
   * Publishes this connection's health in {@code group}: the record {@code report} gives now, then
   * a fresh one every {@code interval} (one ZooKeeper write per interval), until the publication is
   * closed. The record is ephemeral and is recreated after a session loss. {@code report} is called
   * on the publication's own thread.
   *
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed group or an interval under
   *     100 ms
   */
  HealthPublication publish(String group, Duration interval, Supplier<HealthReport> report);

  /** The health records of {@code group}'s members now, by member id. */
  List<HealthReport> reports(String group);

  /** The groups with at least one health record. */
  List<String> groups();
}
