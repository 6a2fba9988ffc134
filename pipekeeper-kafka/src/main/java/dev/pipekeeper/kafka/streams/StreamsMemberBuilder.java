package dev.pipekeeper.kafka.streams;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.kafka.streams.internal.DefaultStreamsMember;
import dev.pipekeeper.kafka.streams.internal.StreamsMemberSettings;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Settings of a {@link StreamsMember}: one flat builder, from {@link StreamsMember#builder}.
 * Required: {@link #streams}. Not thread-safe; each {@link #build()} makes an independent member
 * from an immutable copy of the settings.
 */
public final class StreamsMemberBuilder {
  private final Pipekeeper pipekeeper;
  private final String group;
  private StreamsFactory factory;
  private String role;
  private Map<String, String> metadata = Map.of();
  private Duration closeTimeout = Duration.ofSeconds(30);
  private Set<String> restartOn = Set.of();
  private StreamsUncaughtExceptionHandler uncaughtExceptionHandler =
      error -> StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  private KafkaStreams.StateListener stateListener = (newState, oldState) -> {};

  StreamsMemberBuilder(Pipekeeper pipekeeper, String group) {
    this.pipekeeper = Objects.requireNonNull(pipekeeper, "pipekeeper");
    this.group = Names.check("group", group);
  }

  /** How each {@code KafkaStreams} is built (required). */
  public StreamsMemberBuilder streams(StreamsFactory value) {
    this.factory = Objects.requireNonNull(value, "factory");
    return this;
  }

  /**
   * Whether the member runs its {@code KafkaStreams} only while it leads the role {@code
   * GROUP.leader} (default false: every member runs one).
   */
  public StreamsMemberBuilder leaderOnly(boolean value) {
    this.role = value ? Names.check("role", group + ".leader") : null;
    return this;
  }

  /**
   * Runs the {@code KafkaStreams} only while leading {@code role}.
   *
   * @throws InvalidInputException if the role name is not valid
   */
  public StreamsMemberBuilder leaderOnly(String role) {
    this.role = Names.check("role", role);
    return this;
  }

  /** Tags of the member node (zone, version of the topology, ...), shown to operators. */
  public StreamsMemberBuilder metadata(Map<String, String> value) {
    this.metadata = Map.copyOf(value);
    return this;
  }

  /**
   * How long closing a {@code KafkaStreams} may take: on {@link StreamsMember#close()}, on losing
   * the role, on a restart (default 30 s).
   *
   * @throws InvalidInputException if negative
   */
  public StreamsMemberBuilder closeTimeout(Duration value) {
    if (value.isNegative()) {
      throw new InvalidInputException("closeTimeout must not be negative, not " + value);
    }
    this.closeTimeout = value;
    return this;
  }

  /**
   * Configuration keys whose change closes the running {@code KafkaStreams} and starts a new one
   * from the factory (for values the topology's shape depends on, such as topic names). Values read
   * per record need no restart. Several keys changed in one batch cause one restart.
   *
   * @throws InvalidInputException naming a malformed key
   */
  public StreamsMemberBuilder restartOn(String... keys) {
    Set<String> checked = new LinkedHashSet<>();
    for (String key : keys) {
      checked.add(ConfigKeys.check(key));
    }
    this.restartOn = Set.copyOf(checked);
    return this;
  }

  /**
   * Decides what happens when an exception escapes a stream thread (default {@code
   * SHUTDOWN_CLIENT}, Kafka Streams' own default). {@code REPLACE_THREAD} replaces the thread and
   * the member goes on; the other responses end in ERROR, which the member reports as FAILED.
   */
  public StreamsMemberBuilder uncaughtExceptionHandler(StreamsUncaughtExceptionHandler value) {
    this.uncaughtExceptionHandler = Objects.requireNonNull(value);
    return this;
  }

  /**
   * A listener of every {@code KafkaStreams}' state changes, called (on Kafka Streams' thread)
   * after the member's own; the member owns {@code KafkaStreams.setStateListener}.
   */
  public StreamsMemberBuilder stateListener(KafkaStreams.StateListener value) {
    this.stateListener = Objects.requireNonNull(value);
    return this;
  }

  /**
   * A member that has not started yet.
   *
   * @throws InvalidInputException naming the first missing setting
   */
  public StreamsMember build() {
    if (factory == null) {
      throw new InvalidInputException("streams member of group " + group + ": set streams(...)");
    }
    return new DefaultStreamsMember(
        new StreamsMemberSettings(
            pipekeeper,
            group,
            factory,
            Optional.ofNullable(role),
            metadata,
            closeTimeout,
            restartOn,
            uncaughtExceptionHandler,
            stateListener));
  }

  /**
   * {@link #build()}, then {@link StreamsMember#start()}.
   *
   * @throws InvalidInputException naming the first missing setting
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   * @throws RuntimeException what the factory or {@code KafkaStreams.start()} threw
   */
  public StreamsMember start() {
    return build().start();
  }
}
