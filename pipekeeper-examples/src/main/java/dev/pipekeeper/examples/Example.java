package dev.pipekeeper.examples;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineAcls;
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

  /** How its pipeline commits. */
  Guarantee guarantee();

  /**
   * The topics it reads and writes, each with what the pipeline does with it: the one declaration
   * of its Kafka resources, from which its topics are made ({@link Examples#setUp}) and its ACLs
   * derived ({@link #acls()}).
   */
  List<ExampleTopic> topics();

  /**
   * The least-privilege Kafka ACLs its pipeline needs ({@code pipekeeper kafka-acls NAME}), from
   * {@link #name()}, {@link #mode()}, {@link #guarantee()} and {@link #topics()}.
   */
  default PipelineAcls acls() {
    PipelineAcls.Builder acls =
        PipelineAcls.builder(name())
            .mode(mode())
            .guarantee(guarantee())
            .inputs(topicsUsedAs(TopicUse.INPUT))
            .outputs(topicsUsedAs(TopicUse.OUTPUT));
    topicsUsedAs(TopicUse.DEAD_LETTER).forEach(acls::deadLetterTopic);
    topicsUsedAs(TopicUse.POSITIONS).forEach(acls::positionsTopic);
    return acls.build();
  }

  private List<String> topicsUsedAs(TopicUse use) {
    return topics().stream().filter(t -> t.use() == use).map(ExampleTopic::name).toList();
  }

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

  /** What an example's pipeline does with a topic. */
  enum TopicUse {
    /** Consumes it (PARALLEL, SINGLETON). */
    INPUT,
    /** Emits to it. */
    OUTPUT,
    /** Sends the records that keep failing to it. */
    DEAD_LETTER,
    /** Stores its SHARDED units' positions in it (compacted). */
    POSITIONS
  }

  /** A topic an example needs, and what its pipeline does with it. */
  record ExampleTopic(String name, int partitions, TopicUse use) {
    /** Whether the topic is compacted: the positions topic is. */
    public boolean compacted() {
      return use == TopicUse.POSITIONS;
    }
  }
}
