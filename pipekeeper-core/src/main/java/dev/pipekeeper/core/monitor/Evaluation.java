package dev.pipekeeper.core.monitor;

import java.time.Duration;
import java.time.Instant;

/**
 * What one evaluation of the rules did.
 *
 * @param at when it ran
 * @param took how long it took, probes included
 * @param rules the rules evaluated
 * @param alerts the alerts after it (pending, firing and recently resolved)
 * @param zookeeperReads the ZooKeeper reads it made itself (roles, epochs, scope versions)
 * @param watchReads the reads the monitor's watches (members, health, applied configuration) made
 *     since the previous evaluation: one per record created or changed
 * @param epoch the monitor's term
 */
public record Evaluation(
    Instant at,
    Duration took,
    int rules,
    int alerts,
    long zookeeperReads,
    long watchReads,
    long epoch) {}
