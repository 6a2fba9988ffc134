package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** The record of one history entry. */
record HistoryRecord(
    String who,
    Instant at,
    JsonNode oldValue,
    JsonNode newValue,
    String comment,
    int scopeVersion) {}
