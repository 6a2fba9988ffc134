package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalInt;

/**
 * One key of a {@link Configuration#commit}: its new value and, optionally, the version it must be
 * at for the change to be written.
 *
 * @param key the key ({@link ConfigKeys})
 * @param value the new value; {@code null} or JSON null deletes the key
 * @param expectedVersion the key's version the writer read, {@code -1} for "not set" (the change
 *     then creates it); empty: any version
 */
public record KeyChange(String key, JsonNode value, OptionalInt expectedVersion) {
  public KeyChange {
    expectedVersion = expectedVersion == null ? OptionalInt.empty() : expectedVersion;
  }

  /** Sets {@code key} to {@code value} whatever its version. */
  public static KeyChange set(String key, JsonNode value) {
    return new KeyChange(key, value, OptionalInt.empty());
  }

  /** Deletes {@code key} whatever its version (nothing if it is not set). */
  public static KeyChange delete(String key) {
    return new KeyChange(key, null, OptionalInt.empty());
  }

  /** This change, written only if the key is at {@code version} ({@code -1}: not set). */
  public KeyChange expectVersion(int version) {
    return new KeyChange(key, value, OptionalInt.of(version));
  }
}
