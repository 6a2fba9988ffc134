package dev.pipekeeper.core.monitor;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.Json;
import java.io.IOException;

/**
 * The JSON form of an {@link Alert}: the same in ZooKeeper, on the alert topic and in the CLI's
 * {@code --json} (times as ISO-8601 strings, kinds and states by enum name).
 */
public final class AlertCodec {
  private AlertCodec() {}

  public static byte[] toJson(Alert alert) {
    return Json.write(alert);
  }

  /**
   * Reads an alert written by {@link #toJson(Alert)}.
   *
   * @throws InvalidInputException if the bytes are not such JSON
   */
  public static Alert fromJson(byte[] json) {
    try {
      return Json.read(json, Alert.class);
    } catch (IOException e) {
      throw new InvalidInputException("not an alert: " + e.getMessage());
    }
  }
}
