package dev.pipekeeper.kafka.monitor;

import dev.pipekeeper.core.monitor.MonitorProbe;
import dev.pipekeeper.core.monitor.PartitionOffsets;
import dev.pipekeeper.core.monitor.ProbeReport;
import java.util.Set;

/**
 * The monitor's view of Kafka: whether the cluster answers, and where the consumer groups the rules
 * watch stand on each partition (committed offset, end offset, and the age of the oldest record not
 * consumed yet). The offsets come from the broker, not from the consumers, so a group whose
 * consumers are all stopped still shows its lag growing while its committed offsets stay put.
 *
 * <pre>{@code
 * try (KafkaProbe kafka =
 *     KafkaProbe.builder("kafka1:9092,kafka2:9092")
 *         .kafkaProperty("security.protocol", "SSL")
 *         .timeout(Duration.ofSeconds(2))
 *         .build()) {
 *   ProbeReport report = kafka.probe(Set.of("enricher"));
 *   report.offsets().get("enricher").get("orders-0").lag();
 * }
 * }</pre>
 *
 * <p><b>One probe</b> is, within {@linkplain KafkaProbeBuilder#timeout the timeout}: one {@code
 * describeCluster} (reachability), one {@code listConsumerGroupOffsets} for all the groups asked
 * (sent along with it), one {@code listOffsets} for all their partitions, and, for partitions with
 * lag, a read of the record at the committed offset for its timestamp. Partitions are keyed {@code
 * topic-partition} (e.g. {@code orders-0}), as in health records.
 *
 * <ul>
 *   <li><b>Committed offsets</b> are the group's last committed ones, including those committed
 *       inside a transaction once it committed; offsets of a transaction still open are not waited
 *       for ({@code requireStable} is off). Groups that do not exist, or have no committed offset,
 *       are left out of the report; so are partitions of topics that no longer exist.
 *   <li><b>End offsets</b> are the last stable offsets ({@code listOffsets} with {@code
 *       READ_COMMITTED}): what a {@code read_committed} consumer, as every exactly-once pipeline
 *       is, can reach. Records of an open transaction are not lag yet, so lag does not jump while a
 *       long transaction is in flight. For non-transactional topics this is the high watermark.
 *   <li><b>Oldest unconsumed</b> ({@link PartitionOffsets#oldestUnconsumed()}) is the timestamp of
 *       the first committed record at or after the committed offset, read by one consumer of the
 *       probe's own (no group, {@code read_committed}, assigned and positioned by the probe, so it
 *       never commits or joins a group). At most {@linkplain KafkaProbeBuilder#maxTimestampReads so
 *       many} partitions are read per probe; the others, and those not read before the timeout,
 *       have none.
 * </ul>
 *
 * <p><b>Failures.</b> A probe never throws because of Kafka: if the cluster does not answer within
 * the timeout, or refuses a request, the report is {@linkplain ProbeReport#unreachable unreachable}
 * with a one-line reason (no offsets: a report with some groups missing would look like those
 * groups had gone). The probe logs once when Kafka becomes unreachable and once when it answers
 * again. The clients are created on the first probe and kept between probes. The admin client is
 * replaced after it failed having worked before (a new one that has not reached Kafka yet is kept,
 * so an outage costs one new client, not one per probe); the consumer after any error, which costs
 * that probe its timestamps, never its offsets.
 *
 * <p>Probes are serialized (the monitor calls them from its one evaluation thread); each blocks for
 * at most about the timeout. {@link #close()} releases the clients within the timeout and is safe
 * to call twice.
 */
public interface KafkaProbe extends MonitorProbe {

  /**
   * The {@linkplain #system() system name} of every Kafka probe: the probe the monitor's {@code
   * kafka} rules watch ({@link dev.pipekeeper.core.monitor.Rule.Kafka#PROBE}).
   */
  String SYSTEM = dev.pipekeeper.core.monitor.Rule.Kafka.PROBE;

  /**
   * A builder for a probe of the cluster at {@code bootstrapServers} ({@code host:port,...}).
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the list is empty or an entry is not
   *     {@code host:port}
   */
  static KafkaProbeBuilder builder(String bootstrapServers) {
    return new KafkaProbeBuilder(bootstrapServers);
  }

  /** {@value #SYSTEM}. */
  @Override
  String system();

  /**
   * Asks Kafka now; returns within about the timeout.
   *
   * @param groups the consumer groups whose offsets are wanted (may be empty: reachability only)
   * @return the report; unreachable, with the reason, if Kafka did not answer in time
   * @throws dev.pipekeeper.core.InvalidInputException if {@code groups} is null or holds a null or
   *     blank name
   * @throws IllegalStateException if the probe was closed
   */
  @Override
  ProbeReport probe(Set<String> groups);

  /**
   * What the cluster says of itself now, from one {@code describeCluster} within the timeout: its
   * id, live brokers and controller ({@code pipekeeper status} shows them). Consumer groups are not
   * read. Like {@link #probe}, it never throws because of Kafka, and it uses the probe's admin
   * client.
   *
   * @return the description; unreachable, with the reason, if Kafka did not answer in time ({@code
   *     no answer within N ms}) or the client could not be made (the client's reason)
   * @throws IllegalStateException if the probe was closed
   */
  KafkaCluster describeCluster();

  /** Closes the probe's clients, waiting at most the timeout; safe to call twice. */
  @Override
  void close();
}
