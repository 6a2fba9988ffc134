package dev.pipekeeper.core.assignment.internal;

import java.time.Instant;

/**
 * What an owner node {@code owners/GROUP/UNIT} holds.
 *
 * @param member the member running the unit
 * @param generation the assignment generation under which it took the unit
 * @param since when it took it
 */
record OwnerRecord(String member, long generation, Instant since) {}
