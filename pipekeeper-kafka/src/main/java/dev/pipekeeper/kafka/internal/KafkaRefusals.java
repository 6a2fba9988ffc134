package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.kafka.KafkaNotAuthorizedException;
import dev.pipekeeper.kafka.Mode;
import dev.pipekeeper.kafka.PipelineAcls;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The one place where a Kafka client's authorization error becomes a pipeline's failure naming the
 * refused resource and the operation it needs there ({@link KafkaNotAuthorizedException}). The
 * operations come from {@link PipelineAcls}, the derivation of what the pipeline is allowed;
 * Kafka's own exceptions name the topics and the group, but not the transactional id, which the
 * caller knows.
 */
final class KafkaRefusals {
  private KafkaRefusals() {}

  /**
   * The refusal {@code error} is, or holds as a cause or suppressed exception (a transactional
   * producer wraps the error that failed its transaction); empty if it is no authorization error.
   *
   * @param transactionalId the id of the producer that failed, or null if it has none
   */
  static Optional<KafkaNotAuthorizedException> of(
      Throwable error, PipelineSettings<?, ?, ?, ?> settings, String transactionalId) {
    if (error instanceof KafkaNotAuthorizedException named) {
      return Optional.of(named);
    }
    return find(error, new IdentityHashMap<>())
        .map(refused -> name(refused, settings, transactionalId));
  }

  private static Optional<AuthorizationException> find(
      Throwable error, Map<Throwable, Boolean> seen) {
    if (error == null || seen.put(error, true) != null) {
      return Optional.empty();
    }
    if (error instanceof AuthorizationException refused) {
      return Optional.of(refused);
    }
    Optional<AuthorizationException> found = find(error.getCause(), seen);
    for (Throwable suppressed : error.getSuppressed()) {
      if (found.isPresent()) {
        break;
      }
      found = find(suppressed, seen);
    }
    return found;
  }

  private static KafkaNotAuthorizedException name(
      AuthorizationException refused,
      PipelineSettings<?, ?, ?, ?> settings,
      String transactionalId) {
    String pipeline = settings.name();
    String suffix =
        " for this pipeline's principal (`pipekeeper kafka-acls "
            + pipeline
            + "` prints the ACLs it needs)";
    if (refused instanceof TopicAuthorizationException topics
        && !topics.unauthorizedTopics().isEmpty()) {
      Optional<PipelineAcls> acls = acls(settings);
      Set<String> names = new TreeSet<>(topics.unauthorizedTopics());
      List<String> parts = new ArrayList<>();
      List<AclOperation> first = null;
      for (String topic : names) {
        // A topic the pipeline neither reads nor dead-letters to is one its processor emits to.
        List<AclOperation> operations =
            acls.map(a -> a.operationsOnTopic(topic))
                .filter(ops -> !ops.isEmpty())
                .orElse(List.of(AclOperation.WRITE));
        if (first == null) {
          first = operations;
        }
        parts.add(
            operations.stream().map(Enum::name).collect(Collectors.joining(" or "))
                + " on topic "
                + topic);
      }
      return new KafkaNotAuthorizedException(
          "pipeline " + pipeline + ": Kafka refused " + String.join(", ", parts) + suffix,
          ResourceType.TOPIC,
          names.iterator().next(),
          first,
          refused);
    }
    if (refused instanceof GroupAuthorizationException group) {
      String id = group.groupId() != null ? group.groupId() : KafkaNames.groupId(pipeline);
      return new KafkaNotAuthorizedException(
          "pipeline " + pipeline + ": Kafka refused READ on group " + id + suffix,
          ResourceType.GROUP,
          id,
          List.of(AclOperation.READ),
          refused);
    }
    if (refused instanceof TransactionalIdAuthorizationException) {
      String id = transactionalId != null ? transactionalId : "(unknown)";
      return new KafkaNotAuthorizedException(
          "pipeline " + pipeline + ": Kafka refused WRITE on transactional id " + id + suffix,
          ResourceType.TRANSACTIONAL_ID,
          id,
          List.of(AclOperation.WRITE),
          refused);
    }
    if (refused instanceof ClusterAuthorizationException) {
      return new KafkaNotAuthorizedException(
          "pipeline "
              + pipeline
              + ": Kafka refused IDEMPOTENT_WRITE on the cluster"
              + suffix
              + "; brokers 3.0 and later allow an idempotent producer with WRITE on a topic,"
              + " older ones need IDEMPOTENT_WRITE on the cluster",
          ResourceType.CLUSTER,
          "kafka-cluster",
          List.of(AclOperation.IDEMPOTENT_WRITE),
          refused);
    }
    return new KafkaNotAuthorizedException(
        "pipeline " + pipeline + ": Kafka refused an operation" + suffix + ": " + refused,
        ResourceType.UNKNOWN,
        "",
        List.of(),
        refused);
  }

  /** What the pipeline is allowed (its outputs are not known: it does not declare them). */
  private static Optional<PipelineAcls> acls(PipelineSettings<?, ?, ?, ?> settings) {
    try {
      PipelineAcls.Builder builder =
          PipelineAcls.builder(settings.name())
              .mode(settings.mode())
              .guarantee(settings.guarantee())
              .deadLetterTopic(settings.deadLetterTopic())
              .positionsTopic(settings.positionsTopic());
      if (settings.mode() != Mode.SHARDED) {
        builder.inputs(settings.topics());
      }
      return Optional.of(builder.build());
    } catch (InvalidInputException e) {
      return Optional.empty(); // a topic name Kafka would refuse anyway
    }
  }
}
