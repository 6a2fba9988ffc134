package dev.pipekeeper.kafka.internal;

/**
 * The one home of the names a pipeline gives its Kafka resources: its consumer group, its
 * transactional ids (one per mode), and the defaults of its dead-letter and positions topics. The
 * pipeline modes use them, and so does the derivation of the Kafka ACLs a pipeline needs ({@code
 * PipelineAcls}), so an id the pipeline uses and the ACL that allows it cannot drift apart.
 *
 * <p>The PARALLEL and SHARDED ids are granted by a prefixed ACL, so the prefix of one pipeline must
 * not start another pipeline's ids: with a {@code -} after the name, pipeline {@code a}'s prefix
 * {@code pipekeeper-a-} would also allow pipeline {@code a-b}'s ids. The name is therefore followed
 * by {@code :}, which a pipeline name cannot hold ({@code Names}: {@code A-Z a-z 0-9 . _ -}), so
 * {@code pipekeeper-a:} starts the ids of pipeline {@code a} only.
 */
public final class KafkaNames {
  private KafkaNames() {}

  /** The consumer group of PARALLEL and SINGLETON pipeline {@code pipeline}: its name. */
  public static String groupId(String pipeline) {
    return pipeline;
  }

  /**
   * The {@code transactional.id} of SINGLETON pipeline {@code pipeline}'s leaders, the same in
   * every term: a new leader's {@code initTransactions} fences the previous leader's producer.
   */
  public static String singletonTransactionalId(String pipeline) {
    return "pipekeeper-" + pipeline;
  }

  /** The start of every PARALLEL member's transactional id of {@code pipeline}. */
  public static String memberTransactionalIdPrefix(String pipeline) {
    return "pipekeeper-" + pipeline + ":member:";
  }

  /**
   * The {@code transactional.id} of PARALLEL member {@code member} of {@code pipeline}: one per
   * instance (the consumer group metadata sent with the offsets fences a zombie, KIP-447).
   */
  public static String memberTransactionalId(String pipeline, String member) {
    return memberTransactionalIdPrefix(pipeline) + member;
  }

  /** The start of every SHARDED unit's transactional id of {@code pipeline}. */
  public static String unitTransactionalIdPrefix(String pipeline) {
    return "pipekeeper-" + pipeline + ":unit:";
  }

  /**
   * The {@code transactional.id} of work unit {@code unit} of SHARDED pipeline {@code pipeline}:
   * the unit's next owner fences this one when it initializes.
   */
  public static String unitTransactionalId(String pipeline, String unit) {
    return unitTransactionalIdPrefix(pipeline) + unit;
  }

  /** The dead-letter topic of {@code pipeline} unless it sets another: {@code NAME.dlq}. */
  public static String defaultDeadLetterTopic(String pipeline) {
    return pipeline + ".dlq";
  }

  /** The positions topic of SHARDED {@code pipeline} unless it sets another. */
  public static String defaultPositionsTopic(String pipeline) {
    return pipeline + ".positions";
  }
}
