package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A key's stored value.
 *
 * @param key the key
 * @param value its JSON value
 * @param version the key's version (its znode version: 0 when created, +1 per change)
 * @param modifiedAt when it was last written
 * @param secret whether the key is secret by the one rule of {@link Secrets} (a {@code "writeOnly"}
 *     schema for it in any scope, now or before, unless revealed since): masked in output
 */
public record ConfigEntry(
    String key, JsonNode value, int version, Instant modifiedAt, boolean secret) {

  /** The value as printed for people: masked if secret. */
  public String display() {
    return Secrets.display(value, secret);
  }
}
