package dev.pipekeeper.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.kafka.internal.KafkaNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege Kafka ACLs a pipeline needs, derived from what its mode's clients do, for one
 * principal to run it with nothing more. Made by {@link #builder}; immutable and thread-safe.
 *
 * <table>
 *   <caption>What each mode is allowed</caption>
 *   <tr><th>resource</th><th>operation</th><th>modes</th><th>why</th></tr>
 *   <tr><td>each input topic</td><td>READ</td><td>PARALLEL, SINGLETON</td>
 *       <td>fetches it; READ implies DESCRIBE, which metadata, end offsets (lag) and offset fetches
 *       need</td></tr>
 *   <tr><td>group {@code NAME}</td><td>READ</td><td>PARALLEL, SINGLETON</td>
 *       <td>PARALLEL joins it and commits offsets in it; SINGLETON is assigned its partitions (no
 *       membership) but fetches and commits its offsets in it</td></tr>
 *   <tr><td>each output topic, the dead-letter topic</td><td>WRITE</td><td>all</td>
 *       <td>produces to it; on brokers 3.0 and later (KIP-679) WRITE on a topic also allows an
 *       idempotent producer</td></tr>
 *   <tr><td>the positions topic</td><td>READ, WRITE</td><td>SHARDED</td>
 *       <td>a new owner reads a unit's last position; each batch writes the unit's new one</td></tr>
 *   <tr><td>transactional id {@code pipekeeper-NAME}, literal</td><td>WRITE</td>
 *       <td>SINGLETON, EXACTLY_ONCE</td><td>the leaders' one transactional producer</td></tr>
 *   <tr><td>transactional ids prefixed {@code pipekeeper-NAME:member:}</td><td>WRITE</td>
 *       <td>PARALLEL, EXACTLY_ONCE</td><td>one transactional producer per member</td></tr>
 *   <tr><td>transactional ids prefixed {@code pipekeeper-NAME:unit:}</td><td>WRITE</td>
 *       <td>SHARDED, EXACTLY_ONCE</td><td>one transactional producer per work unit</td></tr>
 *   <tr><td>the cluster</td><td>IDEMPOTENT_WRITE</td><td>AT_LEAST_ONCE, only with {@link
 *       Builder#legacyIdempotentWrite}</td><td>brokers before 3.0 ask it of an idempotent producer
 *       that is not transactional</td></tr>
 * </table>
 *
 * <p>A SHARDED pipeline uses no Kafka consumer group (its units are assigned through ZooKeeper, and
 * its position reader is in no group) and reads no input topic (its input comes from its sources).
 * No ACL allows creating topics: they must exist. A pipeline does not declare the topics its
 * processor emits to, so they are given here as {@link Builder#outputs outputs}.
 *
 * <pre>{@code
 * import org.apache.kafka.common.acl.AclBinding;
 *
 * PipelineAcls acls =
 *     PipelineAcls.builder("enricher")
 *         .mode(Mode.PARALLEL)
 *         .guarantee(Guarantee.EXACTLY_ONCE)
 *         .inputs("clicks")
 *         .outputs("clicks-enriched")
 *         .build();
 * List<AclBinding> bindings = acls.bindings("User:enricher"); // for Admin.createAcls
 * }</pre>
 */
public final class PipelineAcls {
  /** Kafka's rule for topic names. */
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private static final Pattern PRINCIPAL = Pattern.compile("User:\\S.*");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String pipeline;
  private final Mode mode;
  private final Guarantee guarantee;
  private final List<String> inputs;
  private final List<String> outputs;
  private final String deadLetterTopic;
  private final String positionsTopic;
  private final boolean legacyIdempotentWrite;
  private final List<Acl> acls;

  /**
   * One ACL a pipeline needs, without its principal: allow {@code operation} on the resource, from
   * any host.
   *
   * @param why what the pipeline does with the resource, in a few words
   */
  public record Acl(
      ResourceType resourceType,
      String resourceName,
      PatternType patternType,
      AclOperation operation,
      String why) {

    /** This ACL for {@code principal}, from any host, as the admin client takes it. */
    public AclBinding binding(String principal) {
      return new AclBinding(
          new ResourcePattern(resourceType, resourceName, patternType),
          new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
  }

  private PipelineAcls(Builder builder) {
    this.pipeline = builder.pipeline;
    this.mode = builder.mode;
    this.guarantee = builder.guarantee;
    this.inputs = List.copyOf(builder.inputs);
    this.outputs = List.copyOf(builder.outputs);
    this.deadLetterTopic = builder.deadLetterTopic;
    this.positionsTopic = mode == Mode.SHARDED ? builder.positionsTopic : null;
    this.legacyIdempotentWrite = builder.legacyIdempotentWrite;
    this.acls = derive();
  }

  /** A builder for the ACLs of pipeline {@code pipeline} (the name it is built with). */
  public static Builder builder(String pipeline) {
    return new Builder(pipeline);
  }

  private List<Acl> derive() {
    List<Acl> derived = new ArrayList<>();
    if (mode != Mode.SHARDED) {
      for (String topic : inputs) {
        add(derived, topic(topic, AclOperation.READ, "consumes it (fetch, offsets, lag)"));
      }
      add(
          derived,
          new Acl(
              ResourceType.GROUP,
              KafkaNames.groupId(pipeline),
              PatternType.LITERAL,
              AclOperation.READ,
              mode == Mode.PARALLEL
                  ? "its consumers join the group and commit offsets in it"
                  : "its leader fetches and commits its offsets in the group (assigned, not"
                      + " subscribed)"));
    } else {
      add(
          derived,
          topic(positionsTopic, AclOperation.READ, "a unit's new owner reads its last position"));
      add(derived, topic(positionsTopic, AclOperation.WRITE, "each batch writes its position"));
    }
    for (String topic : outputs) {
      add(derived, topic(topic, AclOperation.WRITE, "emits to it"));
    }
    add(
        derived,
        topic(deadLetterTopic, AclOperation.WRITE, "records that keep failing are sent to it"));
    if (guarantee == Guarantee.EXACTLY_ONCE) {
      add(derived, transactionalIds());
    } else if (legacyIdempotentWrite) {
      add(
          derived,
          new Acl(
              ResourceType.CLUSTER,
              "kafka-cluster",
              PatternType.LITERAL,
              AclOperation.IDEMPOTENT_WRITE,
              "its idempotent producer, on brokers before 3.0 (later ones take WRITE on a"
                  + " topic, KIP-679)"));
    }
    return List.copyOf(derived);
  }

  private Acl transactionalIds() {
    return switch (mode) {
      case SINGLETON ->
          new Acl(
              ResourceType.TRANSACTIONAL_ID,
              KafkaNames.singletonTransactionalId(pipeline),
              PatternType.LITERAL,
              AclOperation.WRITE,
              "the leaders' transactional producer (one id, so a new leader fences the old)");
      case PARALLEL ->
          new Acl(
              ResourceType.TRANSACTIONAL_ID,
              KafkaNames.memberTransactionalIdPrefix(pipeline),
              PatternType.PREFIXED,
              AclOperation.WRITE,
              "each member's transactional producer");
      case SHARDED ->
          new Acl(
              ResourceType.TRANSACTIONAL_ID,
              KafkaNames.unitTransactionalIdPrefix(pipeline),
              PatternType.PREFIXED,
              AclOperation.WRITE,
              "each work unit's transactional producer");
    };
  }

  private static Acl topic(String name, AclOperation operation, String why) {
    return new Acl(ResourceType.TOPIC, name, PatternType.LITERAL, operation, why);
  }

  /** Adds {@code acl} unless the same operation on the same resource is there already. */
  private static void add(List<Acl> acls, Acl acl) {
    boolean known =
        acls.stream()
            .anyMatch(
                a ->
                    a.resourceType() == acl.resourceType()
                        && a.resourceName().equals(acl.resourceName())
                        && a.patternType() == acl.patternType()
                        && a.operation() == acl.operation());
    if (!known) {
      acls.add(acl);
    }
  }

  public String pipeline() {
    return pipeline;
  }

  public Mode mode() {
    return mode;
  }

  public Guarantee guarantee() {
    return guarantee;
  }

  /** The input topics (none for SHARDED). */
  public List<String> inputs() {
    return inputs;
  }

  /** The topics the processor emits to. */
  public List<String> outputs() {
    return outputs;
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  /** The positions topic of a SHARDED pipeline; empty in other modes. */
  public Optional<String> positionsTopic() {
    return Optional.ofNullable(positionsTopic);
  }

  /** The ACLs, in a fixed order: inputs, group, positions, outputs, dead letters, producer. */
  public List<Acl> acls() {
    return acls;
  }

  /** The operations the pipeline needs on topic {@code topic}, in {@link #acls()} order. */
  public List<AclOperation> operationsOnTopic(String topic) {
    return acls.stream()
        .filter(a -> a.resourceType() == ResourceType.TOPIC && a.resourceName().equals(topic))
        .map(Acl::operation)
        .toList();
  }

  /**
   * The ACLs for {@code principal}, as {@code Admin.createAcls} takes them.
   *
   * @throws InvalidInputException if {@code principal} is not of the form {@code User:NAME}
   */
  public List<AclBinding> bindings(String principal) {
    String checked = checkPrincipal(principal);
    return acls.stream().map(acl -> acl.binding(checked)).toList();
  }

  /**
   * The ACLs for {@code principal} as {@code kafka-acls.sh} command lines, one per ACL, each
   * preceded by a {@code #} comment that says why the pipeline needs it.
   *
   * @param bootstrapServers what {@code --bootstrap-server} says
   * @param commandConfig the admin's client properties file for {@code --command-config}, or null
   *     to leave the option out
   * @throws InvalidInputException if {@code principal} is not of the form {@code User:NAME}
   */
  public List<String> kafkaAclsCommands(
      String principal, String bootstrapServers, String commandConfig) {
    String checked = checkPrincipal(principal);
    List<String> lines = new ArrayList<>();
    for (Acl acl : acls) {
      StringBuilder line =
          new StringBuilder("kafka-acls.sh --bootstrap-server ").append(quote(bootstrapServers));
      if (commandConfig != null) {
        line.append(" --command-config ").append(quote(commandConfig));
      }
      line.append(" --add --allow-principal ")
          .append(quote(checked))
          .append(" --operation ")
          .append(camel(acl.operation().name()));
      switch (acl.resourceType()) {
        case TOPIC -> line.append(" --topic ").append(quote(acl.resourceName()));
        case GROUP -> line.append(" --group ").append(quote(acl.resourceName()));
        case TRANSACTIONAL_ID ->
            line.append(" --transactional-id ").append(quote(acl.resourceName()));
        case CLUSTER -> line.append(" --cluster");
        default -> throw new IllegalStateException("no ACL of this kind: " + acl.resourceType());
      }
      if (acl.patternType() == PatternType.PREFIXED) {
        line.append(" --resource-pattern-type prefixed");
      }
      lines.add("# " + acl.why());
      lines.add(line.toString());
    }
    return lines;
  }

  /**
   * The ACLs for {@code principal} as one JSON document: {@code pipeline}, {@code mode}, {@code
   * guarantee}, {@code principal}, and {@code acls}, each with {@code resourceType}, {@code name},
   * {@code patternType}, {@code operation}, {@code permission} ({@code ALLOW}), {@code host}
   * ({@code *}) and {@code why}.
   *
   * @throws InvalidInputException if {@code principal} is not of the form {@code User:NAME}
   */
  public String toJson(String principal) {
    String checked = checkPrincipal(principal);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("pipeline", pipeline);
    document.put("mode", mode.name());
    document.put("guarantee", guarantee.name());
    document.put("principal", checked);
    List<Map<String, Object>> entries = new ArrayList<>();
    for (Acl acl : acls) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("resourceType", acl.resourceType().name());
      entry.put("name", acl.resourceName());
      entry.put("patternType", acl.patternType().name());
      entry.put("operation", acl.operation().name());
      entry.put("permission", AclPermissionType.ALLOW.name());
      entry.put("host", "*");
      entry.put("why", acl.why());
      entries.add(entry);
    }
    document.put("acls", entries);
    try {
      return JSON.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the ACLs as JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Checks a Kafka principal as the authorizer names it: {@code User:NAME} (for SCRAM the user
   * name, for mTLS the certificate's distinguished name unless the brokers map it).
   *
   * @return the principal
   * @throws InvalidInputException if it is not of that form
   */
  public static String checkPrincipal(String principal) {
    if (principal == null || !PRINCIPAL.matcher(principal).matches()) {
      throw new InvalidInputException(
          "principal '" + principal + "' is not valid: give it as User:NAME, e.g. User:writer");
    }
    return principal;
  }

  /** {@code IDEMPOTENT_WRITE} as kafka-acls.sh spells operations: {@code IdempotentWrite}. */
  private static String camel(String constant) {
    StringBuilder camel = new StringBuilder();
    for (String word : constant.split("_")) {
      camel.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return camel.toString();
  }

  /** {@code value} as one shell word: as it is if it holds nothing a shell reads, else quoted. */
  private static String quote(String value) {
    if (value.matches("[A-Za-z0-9._:,/=@+-]+")) {
      return value;
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** Settings of {@link PipelineAcls}: one flat builder. Not thread-safe. */
  public static final class Builder {
    private final String pipeline;
    private Mode mode = Mode.PARALLEL;
    private Guarantee guarantee = Guarantee.EXACTLY_ONCE;
    private List<String> inputs = List.of();
    private List<String> outputs = List.of();
    private String deadLetterTopic;
    private String positionsTopic;
    private boolean legacyIdempotentWrite;

    private Builder(String pipeline) {
      this.pipeline = Names.check("pipeline", pipeline);
      this.deadLetterTopic = KafkaNames.defaultDeadLetterTopic(pipeline);
      this.positionsTopic = KafkaNames.defaultPositionsTopic(pipeline);
    }

    /** The pipeline's mode (default PARALLEL, as {@link PipelineBuilder}'s). */
    public Builder mode(Mode value) {
      this.mode = Objects.requireNonNull(value);
      return this;
    }

    /** The pipeline's guarantee (default EXACTLY_ONCE, as {@link PipelineBuilder}'s). */
    public Builder guarantee(Guarantee value) {
      this.guarantee = Objects.requireNonNull(value);
      return this;
    }

    /** The input topics ({@link PipelineBuilder#topics}); none for SHARDED. */
    public Builder inputs(String... value) {
      this.inputs = List.of(value);
      return this;
    }

    /** The input topics ({@link PipelineBuilder#topics}); none for SHARDED. */
    public Builder inputs(List<String> value) {
      this.inputs = List.copyOf(value);
      return this;
    }

    /** The topics the processor emits to ({@link PipelineContext#emit}). */
    public Builder outputs(String... value) {
      this.outputs = List.of(value);
      return this;
    }

    /** The topics the processor emits to ({@link PipelineContext#emit}). */
    public Builder outputs(List<String> value) {
      this.outputs = List.copyOf(value);
      return this;
    }

    /** The dead-letter topic (default {@code NAME.dlq}, as {@link PipelineBuilder}'s). */
    public Builder deadLetterTopic(String value) {
      this.deadLetterTopic = Objects.requireNonNull(value);
      return this;
    }

    /**
     * SHARDED: the positions topic (default {@code NAME.positions}, as {@link PipelineBuilder}'s).
     */
    public Builder positionsTopic(String value) {
      this.positionsTopic = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Whether to allow IDEMPOTENT_WRITE on the cluster, which brokers before 3.0 ask of an
     * idempotent producer that is not transactional (an AT_LEAST_ONCE pipeline's); later brokers
     * take WRITE on any topic instead (KIP-679), and a transactional producer never needed it, so
     * this adds nothing to an EXACTLY_ONCE pipeline's ACLs. Default false.
     */
    public Builder legacyIdempotentWrite(boolean value) {
      this.legacyIdempotentWrite = value;
      return this;
    }

    /**
     * @throws InvalidInputException naming the first missing or invalid setting
     */
    public PipelineAcls build() {
      if (mode == Mode.SHARDED) {
        if (!inputs.isEmpty()) {
          throw new InvalidInputException(
              "pipeline "
                  + pipeline
                  + ": a SHARDED pipeline reads its input from its sources, not from topics");
        }
        checkTopic("positions", positionsTopic);
      } else if (inputs.isEmpty()) {
        throw new InvalidInputException(
            "pipeline " + pipeline + ": a " + mode + " pipeline needs at least one input topic");
      }
      inputs.forEach(t -> checkTopic("input", t));
      outputs.forEach(t -> checkTopic("output", t));
      checkTopic("dead-letter", deadLetterTopic);
      return new PipelineAcls(this);
    }

    private void checkTopic(String what, String topic) {
      if (topic == null
          || !TOPIC.matcher(topic).matches()
          || topic.equals(".")
          || topic.equals("..")) {
        throw new InvalidInputException(
            "pipeline "
                + pipeline
                + ": "
                + what
                + " topic '"
                + topic
                + "' is not a valid Kafka topic name (1 to 249 characters of A-Z a-z 0-9 . _ -)");
      }
    }
  }
}
