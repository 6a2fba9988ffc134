package dev.pipekeeper.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.kafka.KafkaClientSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** The examples, by name, and their set-up. */
public final class Examples {
  private static final List<Example> ALL =
      List.of(new EnrichmentExample(), new SchedulerExample(), new IngesterExample());

  private Examples() {}

  public static List<Example> all() {
    return ALL;
  }

  /**
   * @throws InvalidInputException naming the examples there are, if there is none called {@code
   *     name}
   */
  public static Example named(String name) {
    return ALL.stream()
        .filter(example -> example.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "no example '"
                        + name
                        + "'; the examples are "
                        + ALL.stream().map(Example::name).collect(Collectors.joining(", "))));
  }

  /**
   * Creates the example's topics that do not exist yet and {@linkplain Example#prepare prepares}
   * ZooKeeper for it. The topics are created by an admin client with {@code kafka}'s settings (its
   * {@linkplain KafkaClientSettings#admin() admin} properties), so with the credentials the
   * example's pipeline runs with. Only missing topics are created: where ACLs are on, a user with
   * access to topics that exist needs no CREATE right.
   *
   * @throws org.apache.kafka.common.KafkaException if Kafka refuses or cannot be reached
   */
  public static void setUp(Example example, Pipekeeper pipekeeper, KafkaClientSettings kafka) {
    Map<String, Object> config = kafka.admin();
    config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    try (Admin admin = Admin.create(config)) {
      Set<String> existing;
      try {
        existing = admin.listTopics().names().get();
      } catch (ExecutionException e) {
        throw new org.apache.kafka.common.KafkaException(
            "cannot list the topics: " + e.getCause().getMessage(), e.getCause());
      }
      for (Example.ExampleTopic topic : example.topics()) {
        if (existing.contains(topic.name())) {
          continue;
        }
        NewTopic created = new NewTopic(topic.name(), topic.partitions(), (short) 1);
        if (topic.compacted()) {
          created.configs(
              Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        try {
          admin.createTopics(List.of(created)).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new org.apache.kafka.common.KafkaException(
                "cannot create topic " + topic.name() + ": " + e.getCause().getMessage(),
                e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.apache.kafka.common.KafkaException("interrupted creating topics", e);
    }
    example.prepare(pipekeeper);
  }

  /**
   * Sets {@code schema} for {@code key} in the example's pipeline scope unless it has it; replicas
   * starting at once all call this, and {@code ensureSchema} converges under that contention.
   */
  static void ensureSchema(Pipekeeper pipekeeper, Example example, String key, JsonNode schema) {
    pipekeeper.config().ensureSchema(Scope.pipeline(example.name()), key, schema);
  }
}
