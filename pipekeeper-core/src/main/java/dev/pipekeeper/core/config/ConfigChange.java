package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * What changed in a view's effective configuration, as one batch: a multi-key change is always
 * delivered whole, never half of it. Several changes written in quick succession may arrive as one
 * batch with their net effect.
 *
 * @param versions each scope's version after the change
 * @param changes the keys whose effective value changed, with old and new values
 */
public record ConfigChange(Map<Scope, Integer> versions, Map<String, ValueChange> changes) {

  public ConfigChange {
    versions = Map.copyOf(versions);
    changes = Map.copyOf(changes);
  }

  /**
   * One key's change.
   *
   * @param oldValue the effective value before (empty: unset)
   * @param newValue the effective value after (empty: unset)
   */
  public record ValueChange(Optional<JsonNode> oldValue, Optional<JsonNode> newValue) {}
}
