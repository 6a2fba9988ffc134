package dev.pipekeeper.kafka.monitor;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.Durations;
import dev.pipekeeper.core.monitor.PartitionOffsets;
import dev.pipekeeper.core.monitor.ProbeReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link KafkaProbe}: an admin client for offsets, a consumer for timestamps. */
final class DefaultKafkaProbe implements KafkaProbe {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaProbe.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private enum State {
    OPEN,
    CLOSED
  }

  private final String bootstrapServers;
  private final Map<String, Object> kafka;
  private final Duration timeout;
  private final int maxTimestampReads;
  private final Clock clock;
  private final String clientId;
  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);

  // Guarded by this.
  private Admin admin;
  private boolean adminAnswered;
  private KafkaConsumer<byte[], byte[]> consumer;
  private boolean timestampsFailing;
  private Boolean reachable;
  private Map<String, String> refusedBefore = Map.of();

  DefaultKafkaProbe(KafkaProbeSettings settings) {
    this.bootstrapServers = settings.bootstrapServers();
    this.kafka = settings.kafkaProperties();
    this.timeout = settings.timeout();
    this.maxTimestampReads = settings.maxTimestampReads();
    this.clock = settings.clock();
    Object given = kafka.get(AdminClientConfig.CLIENT_ID_CONFIG);
    this.clientId =
        given != null ? given.toString() : "pipekeeper-kafka-probe-" + SEQUENCE.incrementAndGet();
  }

  @Override
  public String system() {
    return SYSTEM;
  }

  @Override
  public synchronized ProbeReport probe(Set<String> groups) {
    checkGroups(groups);
    if (state.get() != State.OPEN) {
      throw new IllegalStateException("the Kafka probe of " + bootstrapServers + " is closed");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Instant at = clock.instant();
    ProbeReport report;
    try {
      Map<String, String> refused = new TreeMap<>();
      report =
          new ProbeReport(
              SYSTEM, true, Optional.empty(), ask(groups, deadline, refused), refused, at);
    } catch (Unanswered e) {
      // A client that worked and then failed is replaced (its connections may be stuck on a
      // broker that went away); a new one that never got an answer keeps trying to bootstrap,
      // rather than a fresh client being made (and logging its configuration) on every probe.
      if (adminAnswered) {
        closeAdmin(Duration.ZERO);
      }
      report = ProbeReport.unreachable(SYSTEM, e.getMessage(), at);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      report = ProbeReport.unreachable(SYSTEM, "the probe was interrupted", at);
    }
    logChange(report);
    return report;
  }

  @Override
  public synchronized KafkaCluster describeCluster() {
    if (state.get() != State.OPEN) {
      throw new IllegalStateException("the Kafka probe of " + bootstrapServers + " is closed");
    }
    int ms = (int) Math.max(1, timeout.toMillis());
    Admin client;
    try {
      client = admin();
    } catch (Unanswered e) {
      return KafkaCluster.unreachable(bootstrapServers, Reasons.root(e.getCause()));
    }
    try {
      // The client's own timeouts end the request; the extra second only bounds the wait for them.
      DescribeClusterResult result =
          client.describeCluster(new DescribeClusterOptions().timeoutMs(ms));
      String clusterId = result.clusterId().get(ms + 1000L, TimeUnit.MILLISECONDS);
      List<KafkaCluster.Broker> brokers =
          result.nodes().get(ms + 1000L, TimeUnit.MILLISECONDS).stream()
              .map(DefaultKafkaProbe::broker)
              .toList();
      Node controller = result.controller().get(ms + 1000L, TimeUnit.MILLISECONDS);
      adminAnswered = true;
      return new KafkaCluster(
          bootstrapServers,
          true,
          Optional.ofNullable(clusterId),
          brokers,
          controller == null || controller.isEmpty()
              ? Optional.empty()
              : Optional.of(controller.id()),
          Optional.empty());
    } catch (ExecutionException | TimeoutException e) {
      if (adminAnswered) {
        closeAdmin(Duration.ZERO); // as after a failed probe
      }
      return KafkaCluster.unreachable(bootstrapServers, "no answer within " + ms + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return KafkaCluster.unreachable(bootstrapServers, "interrupted");
    }
  }

  private static KafkaCluster.Broker broker(Node node) {
    return new KafkaCluster.Broker(
        node.id(), node.host(), node.port(), Optional.ofNullable(node.rack()));
  }

  private static void checkGroups(Set<String> groups) {
    if (groups == null) {
      throw new InvalidInputException("the set of consumer groups to probe is missing");
    }
    for (String group : groups) {
      if (group == null || group.isBlank()) {
        throw new InvalidInputException("a consumer group name to probe is empty");
      }
    }
  }

  /**
   * The offsets of {@code groups}; what the cluster refuses this principal (a group or a topic it
   * may not DESCRIBE) goes to {@code refused}, by resource, and the rest is still asked.
   */
  private Map<String, Map<String, PartitionOffsets>> ask(
      Set<String> groups, long deadline, Map<String, String> refused)
      throws Unanswered, InterruptedException {
    Admin client = admin();
    int ms = (int) Math.max(1, timeout.toMillis());
    // Both requests go out at once: the offsets do not wait for the cluster's answer.
    KafkaFuture<String> cluster =
        client.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).clusterId();
    ListConsumerGroupOffsetsResult committedResult = null;
    if (!groups.isEmpty()) {
      Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
      for (String group : groups) {
        specs.put(group, new ListConsumerGroupOffsetsSpec()); // every partition of the group
      }
      committedResult =
          client.listConsumerGroupOffsets(
              specs, new ListConsumerGroupOffsetsOptions().timeoutMs(ms));
    }
    await(cluster, deadline, "Kafka at " + bootstrapServers, null);
    adminAnswered = true;
    if (committedResult == null) {
      return Map.of();
    }

    Map<String, Map<TopicPartition, Long>> committed = new TreeMap<>();
    Set<TopicPartition> partitions = new HashSet<>();
    for (String group : new TreeSet<>(groups)) {
      Optional<Map<TopicPartition, OffsetAndMetadata>> found;
      try {
        found =
            await(
                committedResult.partitionsToOffsetAndMetadata(group),
                deadline,
                "the committed offsets of group " + group,
                GroupIdNotFoundException.class);
      } catch (Refused e) {
        refused.put("group " + group, e.reason());
        continue;
      }
      Map<TopicPartition, Long> offsets = new HashMap<>();
      found.ifPresent(
          map ->
              map.forEach(
                  (partition, offset) -> {
                    if (offset != null && offset.offset() >= 0) {
                      offsets.put(partition, offset.offset());
                    }
                  }));
      if (!offsets.isEmpty()) {
        committed.put(group, offsets);
        partitions.addAll(offsets.keySet());
      }
    }
    if (partitions.isEmpty()) {
      return Map.of();
    }

    Map<TopicPartition, Long> ends = endOffsets(client, partitions, deadline, refused);
    Map<TopicPartition, OldestRecords.Stamp> oldest = oldestUnconsumed(committed, ends, deadline);
    Map<String, Map<String, PartitionOffsets>> report = new TreeMap<>();
    committed.forEach(
        (group, offsets) -> {
          Map<String, PartitionOffsets> byPartition = new TreeMap<>();
          offsets.forEach(
              (partition, offset) -> {
                Long end = ends.get(partition);
                if (end != null) {
                  // Two groups on one partition may stand at different offsets; only the one
                  // furthest behind, whose record was read, gets its timestamp.
                  OldestRecords.Stamp stamp = oldest.get(partition);
                  Optional<Instant> at =
                      stamp != null && stamp.from() == offset
                          ? Optional.of(stamp.timestamp())
                          : Optional.empty();
                  byPartition.put(partition.toString(), new PartitionOffsets(offset, end, at));
                }
              });
          if (!byPartition.isEmpty()) {
            report.put(group, byPartition);
          }
        });
    return report;
  }

  /** The last stable offsets of the partitions that still exist, in one request. */
  private Map<TopicPartition, Long> endOffsets(
      Admin client, Set<TopicPartition> partitions, long deadline, Map<String, String> refused)
      throws Unanswered, InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartition partition : partitions) {
      latest.put(partition, OffsetSpec.latest());
    }
    ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    options.timeoutMs((int) Math.max(1, remainingMillis(deadline)));
    ListOffsetsResult result = client.listOffsets(latest, options);
    Map<TopicPartition, Long> ends = new HashMap<>();
    for (TopicPartition partition : partitions) {
      try {
        await(
                result.partitionResult(partition),
                deadline,
                "the end offset of " + partition,
                UnknownTopicOrPartitionException.class)
            .ifPresent(info -> ends.put(partition, info.offset()));
      } catch (Refused e) {
        refused.putIfAbsent("topic " + partition.topic(), e.reason());
      }
    }
    return ends;
  }

  /**
   * The timestamps of the records at the committed offsets of the partitions with lag, the most
   * lagging first, as many as the cap allows and the deadline leaves time for. Never fails the
   * probe: the offsets are what the rules need first.
   */
  private Map<TopicPartition, OldestRecords.Stamp> oldestUnconsumed(
      Map<String, Map<TopicPartition, Long>> committed,
      Map<TopicPartition, Long> ends,
      long deadline) {
    if (maxTimestampReads == 0) {
      return Map.of();
    }
    // Of groups on one partition at different offsets, the one furthest behind is read.
    Map<TopicPartition, Long> from = new HashMap<>();
    for (Map<TopicPartition, Long> offsets : committed.values()) {
      offsets.forEach(
          (partition, offset) -> {
            Long end = ends.get(partition);
            if (end != null && offset < end) {
              from.merge(partition, offset, Math::min);
            }
          });
    }
    if (from.isEmpty()) {
      return Map.of();
    }
    List<TopicPartition> order = new ArrayList<>(from.keySet());
    order.sort(
        Comparator.comparingLong((TopicPartition p) -> from.get(p) - ends.get(p))
            .thenComparing(TopicPartition::toString));
    Map<TopicPartition, Long> read = new LinkedHashMap<>();
    for (TopicPartition partition : order.subList(0, Math.min(order.size(), maxTimestampReads))) {
      read.put(partition, from.get(partition));
    }
    try {
      Map<TopicPartition, OldestRecords.Stamp> found =
          OldestRecords.read(consumer(), read, ends, deadline);
      if (timestampsFailing) {
        timestampsFailing = false;
        LOG.info("Kafka probe: reading record timestamps from {} works again", bootstrapServers);
      }
      return found;
    } catch (KafkaException e) {
      if (!timestampsFailing) {
        timestampsFailing = true;
        LOG.warn(
            "Kafka probe: cannot read record timestamps from {} ({}); reports have no "
                + "oldest unconsumed record until it can",
            bootstrapServers,
            Reasons.of(e));
      }
      closeConsumer(Duration.ZERO);
      return Map.of();
    }
  }

  private <T> Optional<T> await(
      KafkaFuture<T> future, long deadline, String what, Class<? extends Throwable> absent)
      throws Unanswered, InterruptedException {
    try {
      return Optional.ofNullable(
          future.get(Math.max(0, remainingMillis(deadline)), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      throw new Unanswered(what + " did not answer within " + Durations.format(timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (absent != null && absent.isInstance(cause)) {
        return Optional.empty();
      }
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new Unanswered(what + " did not answer within " + Durations.format(timeout));
      }
      if (cause instanceof AuthorizationException) {
        throw new Refused(what, Reasons.of(cause));
      }
      throw new Unanswered(what + ": " + Reasons.of(cause));
    }
  }

  private static long remainingMillis(long deadline) {
    return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
  }

  private Admin admin() throws Unanswered {
    if (admin == null) {
      Map<String, Object> props = new HashMap<>(kafka);
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
      try {
        admin = Admin.create(props);
      } catch (KafkaException e) {
        throw new Unanswered("cannot make a Kafka admin client: " + Reasons.of(e), e);
      }
      adminAnswered = false;
    }
    return admin;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    if (consumer == null) {
      Map<String, Object> props = new HashMap<>(kafka);
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-timestamps");
      props.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, never in a group
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      // A committed offset that retention deleted: the oldest record left is the oldest unconsumed.
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      // Only the first record of each partition is wanted; the broker still sends a whole batch.
      props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024);
      props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 1024 * 1024);
      // A poll that returns records sends the next fetch at once; at the end of the log the broker
      // holds it for fetch.max.wait.ms (default 500 ms), and the next probe's fetch waits behind
      // it.
      // The probe never waits for new records, so the broker answers at once.
      props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 0);
      consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    return consumer;
  }

  private void logChange(ProbeReport report) {
    if (report.reachable()) {
      report
          .refused()
          .forEach(
              (resource, reason) -> {
                if (!reason.equals(refusedBefore.get(resource))) {
                  LOG.warn("Kafka probe: Kafka refused {}: {}", resource, reason);
                }
              });
      refusedBefore.keySet().stream()
          .filter(resource -> !report.refused().containsKey(resource))
          .forEach(resource -> LOG.info("Kafka probe: Kafka allows {} again", resource));
      refusedBefore = report.refused();
    }
    if (reachable == null || reachable != report.reachable()) {
      if (!report.reachable()) {
        LOG.warn("Kafka probe: Kafka is unreachable: {}", report.error().orElse("no answer"));
      } else if (reachable != null) {
        LOG.info("Kafka probe: Kafka at {} answers again", bootstrapServers);
      }
      reachable = report.reachable();
    }
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    synchronized (this) {
      closeAdmin(timeout);
      closeConsumer(timeout);
    }
  }

  private void closeAdmin(Duration wait) {
    if (admin != null) {
      try {
        admin.close(wait);
      } catch (RuntimeException e) {
        LOG.debug("Kafka probe: closing the admin client failed", e);
      }
      admin = null;
      adminAnswered = false;
    }
  }

  private void closeConsumer(Duration wait) {
    if (consumer != null) {
      try {
        consumer.close(CloseOptions.timeout(wait));
      } catch (RuntimeException e) {
        LOG.debug("Kafka probe: closing the consumer failed", e);
      }
      consumer = null;
    }
  }

  /** Kafka did not answer, or refused; the message is the report's reason. */
  /**
   * The cluster answered and refused this principal one resource (an {@link
   * AuthorizationException}): what was asked before and after still counts. Outside the per-group
   * and per-partition asks, where it is caught, it is the probe's failure, as an {@link Unanswered}
   * is.
   */
  private static final class Refused extends Unanswered {
    private static final long serialVersionUID = 1L;

    private final String reason;

    Refused(String what, String reason) {
      super(what + ": " + reason);
      this.reason = reason;
    }

    String reason() {
      return reason;
    }
  }

  private static class Unanswered extends Exception {
    private static final long serialVersionUID = 1L;

    Unanswered(String message) {
      super(message, null, false, false);
    }

    Unanswered(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }
}
