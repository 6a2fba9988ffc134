package dev.pipekeeper.core.config.internal;

import java.time.Instant;
import java.util.List;

/** The record written to a scope's commit node. */
record CommitRecord(String who, Instant at, List<String> keys, String comment) {}
