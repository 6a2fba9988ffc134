package dev.pipekeeper.kafka.streams.internal;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.streams.StreamsFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The validated settings of one streams member, made by {@code StreamsMemberBuilder.build()} and
 * read by {@link DefaultStreamsMember}; immutable.
 *
 * @param role the role contended for, if leader-only
 * @param metadata the member node's tags, sorted by key
 */
public record StreamsMemberSettings(
    Pipekeeper pipekeeper,
    String group,
    StreamsFactory factory,
    Optional<String> role,
    Map<String, String> metadata,
    Duration closeTimeout,
    Set<String> restartOn,
    StreamsUncaughtExceptionHandler uncaughtExceptionHandler,
    KafkaStreams.StateListener stateListener) {

  public StreamsMemberSettings {
    metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
    restartOn = Set.copyOf(restartOn);
  }
}
