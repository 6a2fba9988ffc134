package dev.pipekeeper.core.archfixture;

import org.apache.kafka.common.TopicPartition;

/** A deliberate violation: core code using Kafka. Proves the rule can fail. */
public class CoreUsingKafka {
  public String describe(TopicPartition partition) {
    return partition.toString();
  }
}
