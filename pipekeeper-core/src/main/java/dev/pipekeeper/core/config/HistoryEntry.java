package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One recorded change of a key.
 *
 * @param key the key
 * @param sequence its place in the key's history (increasing; the number {@code rollback} takes)
 * @param who who made the change
 * @param at when
 * @param oldValue the value before, if any
 * @param newValue the value after, if any (empty: deleted)
 * @param comment the change's comment
 * @param scopeVersion the scope's version after the change
 */
public record HistoryEntry(
    String key,
    int sequence,
    String who,
    Instant at,
    Optional<JsonNode> oldValue,
    Optional<JsonNode> newValue,
    String comment,
    int scopeVersion) {}
