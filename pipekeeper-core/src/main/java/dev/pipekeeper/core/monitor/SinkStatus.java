package dev.pipekeeper.core.monitor;

import java.time.Instant;
import java.util.Optional;

/**
 * How deliveries to one sink are going.
 *
 * @param sink the sink's name
 * @param delivered transitions delivered since the monitor started
 * @param failedAttempts attempts that failed (each retry counts)
 * @param dropped transitions refused because the queue was full (offered again at the next
 *     evaluation)
 * @param queued transitions waiting now, including one being delivered
 * @param failingSince since when every attempt has failed, if the last one did
 * @param lastError the last failure's message, if any
 */
public record SinkStatus(
    String sink,
    long delivered,
    long failedAttempts,
    long dropped,
    int queued,
    Optional<Instant> failingSince,
    Optional<String> lastError) {

  /** Whether its last attempt failed. */
  public boolean failing() {
    return failingSince.isPresent();
  }
}
