package dev.pipekeeper.kafka;

import dev.pipekeeper.core.PipekeeperException;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Kafka's authorizer refused a pipeline's client an operation on one of its resources: the
 * principal lacks an ACL that {@link PipelineAcls} lists. The message names the operation and the
 * resource, e.g. {@code Kafka refused WRITE on transactional id pipekeeper-x:member:m1 for this
 * pipeline's principal}; the cause is the Kafka client's exception. A pipeline that gets it stops
 * ({@link Pipeline.State#FAILED}, {@link Pipeline#failure()}): retrying does not help until the ACL
 * is added.
 */
public class KafkaNotAuthorizedException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  private final ResourceType resourceType;
  private final String resourceName;
  private final List<AclOperation> operations;

  public KafkaNotAuthorizedException(
      String message,
      ResourceType resourceType,
      String resourceName,
      List<AclOperation> operations,
      Throwable cause) {
    super(message, cause);
    this.resourceType = resourceType;
    this.resourceName = resourceName;
    this.operations = List.copyOf(operations);
  }

  /** The kind of resource refused ({@code TOPIC}, {@code GROUP}, {@code TRANSACTIONAL_ID}, ...). */
  public ResourceType resourceType() {
    return resourceType;
  }

  /** The refused resource's name (the first one's, if Kafka refused several topics at once). */
  public String resourceName() {
    return resourceName;
  }

  /** The operations the pipeline needs on it (one of which was refused). */
  public List<AclOperation> operations() {
    return operations;
  }
}
