package dev.pipekeeper.examples;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import java.util.List;

/**
 * One example pipeline: what it needs in Kafka and ZooKeeper, and how it is built. {@link
 * Examples#setUp} prepares both (idempotently); {@link #build} gives an unstarted pipeline.
 */
public interface Example {

  /** The example's name, which is also its pipeline's name (and so its group and config scope). */
  String name();

  Mode mode();

  /** One line on what it does. */
  String summary();

  /** The topics it reads and writes. */
  List<ExampleTopic> topics();

  /**
   * Prepares what it needs in ZooKeeper (schemas of its configuration keys, default work units),
   * leaving what is there already.
   */
  void prepare(Pipekeeper pipekeeper);

  /**
   * The example's pipeline, not started, as member {@code pipekeeper.identity()}, its Kafka clients
   * with {@code kafka}'s servers and properties.
   */
  Pipeline build(Pipekeeper pipekeeper, KafkaClientSettings kafka);

  /** A topic an example needs. */
  record ExampleTopic(String name, int partitions, boolean compacted) {}
}
