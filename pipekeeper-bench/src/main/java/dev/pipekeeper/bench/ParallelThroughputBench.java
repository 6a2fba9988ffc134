package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Pipeline;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * PARALLEL pipeline throughput (issue 6): one Pipekeeper PARALLEL instance against a hand-written
 * consume → transform → produce loop with the same settings (read_committed, cooperative-sticky, no
 * auto commit; one transaction per poll batch with the offsets for EXACTLY_ONCE, flush then
 * commitSync for AT_LEAST_ONCE), over the same pre-produced input, in the same run. The transform
 * upper-cases a String value. Rounds alternate between the two sides; each round uses a fresh
 * consumer group and output topic. Each side's rate counts from its first committed batch to its
 * last (the group join is left out of both). Target: Pipekeeper ≥ 0.95× the loop's records/s.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.ParallelThroughputBench -Dbench.args="records=500000
 * rounds=5"}.
 */
public final class ParallelThroughputBench {
  private static final String CLUSTER = "throughputbench";
  private static final String INPUT = "bench-in";
  private static final double TARGET = 0.95;

  private ParallelThroughputBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int records = settings.integer("records", 500_000, 1000);
    int rounds = settings.integer("rounds", 5, 1);
    int partitions = settings.integer("partitions", 4, 1);
    List<String> guarantees =
        settings.list(
            "guarantees", "EXACTLY_ONCE,AT_LEAST_ONCE", List.of("EXACTLY_ONCE", "AT_LEAST_ONCE"));
    StringBuilder report = new StringBuilder();
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings);
        EmbeddedKafka kafka =
            EmbeddedKafka.builder()
                .launch(Launch.CHILD_PROCESS)
                .childJvmOptions(List.of("-Xmx1g", "-XX:+UseSerialGC"))
                .build()
                .start();
        Pipekeeper pk =
            Pipekeeper.builder().zookeeper(zk.connectString()).cluster(CLUSTER).build()) {
      settings.checkNoneUnknown();
      String bootstrap = kafka.bootstrapServers();
      createTopic(bootstrap, INPUT, partitions);
      produceInput(bootstrap, records);
      report.append(Environment.header("ParallelThroughputBench", settings));
      report.append(
          "| guarantee | hand-written loop, median records/s | Pipekeeper PARALLEL, median"
              + " records/s | ratio | target | result |\n");
      report.append("| --- | --- | --- | --- | --- | --- |\n");
      int run = 0;
      for (String name : guarantees) {
        Guarantee guarantee = Guarantee.valueOf(name);
        Stats loop = new Stats();
        Stats pipekeeper = new Stats();
        for (int round = 0; round < rounds; round++) {
          String out = "bench-out-" + run;
          createTopic(bootstrap, out, 1);
          loop.add(handWritten(bootstrap, "loop-" + run, out, guarantee, records));
          run++;
          out = "bench-out-" + run;
          createTopic(bootstrap, out, 1);
          pipekeeper.add(pipeline(pk, bootstrap, "pipeline-" + run, out, guarantee, records));
          run++;
          System.err.printf(
              "%s round %d: loop %.0f records/s, pipekeeper %.0f records/s%n",
              name, round, loop.max(), pipekeeper.max());
        }
        double ratio = pipekeeper.percentile(50) / loop.percentile(50);
        report.append(
            String.format(
                "| %s | %.0f | %.0f | %.2f | ≥ %.2f | %s |%n",
                name,
                loop.percentile(50),
                pipekeeper.percentile(50),
                ratio,
                TARGET,
                ratio >= TARGET ? "met" : "missed"));
      }
      report.append(
          String.format(
              "%n%d input records of about 20 bytes over %d partitions; one instance per side;"
                  + " broker in a child JVM.%n",
              records, partitions));
    }
    System.out.print(report);
  }

  private static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  private static void produceInput(String bootstrap, int records) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(INPUT, "key-" + i, "value-" + i));
      }
      producer.flush();
    }
  }

  /** Records/s of the hand-written loop until it has committed every input record. */
  private static double handWritten(
      String bootstrap, String group, String out, Guarantee guarantee, int records) {
    Map<String, Object> consumerProps = new HashMap<>();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    Map<String, Object> producerProps = new HashMap<>();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    boolean transactional = guarantee == Guarantee.EXACTLY_ONCE;
    if (transactional) {
      producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "loop-" + group);
    }
    StringDeserializer strings = new StringDeserializer();
    StringSerializer toBytes = new StringSerializer();
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
      if (transactional) {
        producer.initTransactions();
      }
      consumer.subscribe(List.of(INPUT));
      long start = 0;
      long first = 0;
      long done = 0;
      while (done < records) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        if (batch.isEmpty()) {
          continue;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        if (transactional) {
          producer.beginTransaction();
        }
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          String value = strings.deserialize(record.topic(), record.value());
          producer.send(
              new ProducerRecord<>(
                  out, record.key(), toBytes.serialize(out, value.toUpperCase(Locale.ROOT))));
          offsets.put(
              new TopicPartition(record.topic(), record.partition()),
              new OffsetAndMetadata(record.offset() + 1));
        }
        if (transactional) {
          producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
          producer.commitTransaction();
        } else {
          producer.flush();
          consumer.commitSync(offsets);
        }
        done += batch.count();
        if (start == 0) {
          start = System.nanoTime(); // from the first committed batch on: group joins excluded
          first = done;
        }
      }
      return (done - first) / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** Records/s of a Pipekeeper PARALLEL pipeline until it has committed every input record. */
  private static double pipeline(
      Pipekeeper pk, String bootstrap, String name, String out, Guarantee guarantee, int records)
      throws InterruptedException {
    try (Pipeline pipeline =
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .bootstrapServers(bootstrap)
            .topics(INPUT)
            .guarantee(guarantee)
            .processor(
                (record, ctx) ->
                    ctx.emit(out, record.key(), record.value().toUpperCase(Locale.ROOT)))
            .build()) {
      pipeline.start();
      while (pipeline.processed() == 0) {
        TimeUnit.MILLISECONDS.sleep(1); // the harness looks, rarely enough not to compete
      }
      long start = System.nanoTime(); // from the first committed batch on: group joins excluded
      long first = pipeline.processed();
      while (pipeline.processed() < records) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      return (pipeline.processed() - first) / ((System.nanoTime() - start) / 1e9);
    }
  }
}
