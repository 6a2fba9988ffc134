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
 * upper-cases a String value. Each guarantee has an input topic of its own ({@code eosRecords} and
 * {@code aloRecords} records; AT_LEAST_ONCE needs many more for a run to last long enough to be
 * measured). Each side's rate counts from its first committed batch to its last (the group join is
 * left out of both).
 *
 * <p>Rounds: {@code warmup} uncounted pairs first (the JIT compiles the Kafka clients' code that
 * both sides share during the first runs, which favours whichever runs second), then {@code rounds}
 * pairs whose order alternates (loop first, then Pipekeeper first, ...), each run with a fresh
 * group and output topic, deleted after the run. Reported: each side's median, the ratio of the
 * medians, and the median of the per-pair ratios with an approximate 95% interval. Target:
 * Pipekeeper ≥ 0.95× the loop's records/s.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.ParallelThroughputBench -Dbench.args="rounds=9"}.
 */
public final class ParallelThroughputBench {
  private static final String CLUSTER = "throughputbench";
  private static final double TARGET = 0.95;

  private ParallelThroughputBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int eosRecords = settings.integer("eosRecords", 500_000, 1000);
    int aloRecords = settings.integer("aloRecords", 2_000_000, 1000);
    int rounds = settings.integer("rounds", 9, 1);
    int warmup = settings.integer("warmup", 1, 0);
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
      report.append(Environment.header("ParallelThroughputBench", settings));
      report.append(
          "| guarantee | records per run | pairs | hand-written loop, median records/s (min–max)"
              + " | Pipekeeper PARALLEL, median records/s (min–max) | ratio of medians | ratio"
              + " per pair: median (≈95% interval) | target | result |\n");
      report.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
      Runs runs = new Runs(pk, bootstrap);
      for (String name : guarantees) {
        Guarantee guarantee = Guarantee.valueOf(name);
        int records = guarantee == Guarantee.EXACTLY_ONCE ? eosRecords : aloRecords;
        String input = "bench-in-" + name;
        createTopic(bootstrap, input, partitions);
        produceInput(bootstrap, input, records);
        for (int round = 0; round < warmup; round++) {
          double loop = runs.loop(input, guarantee, records);
          double pipeline = runs.pipeline(input, guarantee, records);
          System.err.printf(
              "%s warm-up %d: loop %.0f records/s, pipekeeper %.0f records/s%n",
              name, round, loop, pipeline);
        }
        Stats loops = new Stats();
        Stats pipelines = new Stats();
        Stats ratios = new Stats();
        for (int round = 0; round < rounds; round++) {
          double loop;
          double pipeline;
          if (round % 2 == 0) {
            loop = runs.loop(input, guarantee, records);
            pipeline = runs.pipeline(input, guarantee, records);
          } else {
            pipeline = runs.pipeline(input, guarantee, records);
            loop = runs.loop(input, guarantee, records);
          }
          loops.add(loop);
          pipelines.add(pipeline);
          ratios.add(pipeline / loop);
          System.err.printf(
              "%s round %d (%s first): loop %.0f records/s, pipekeeper %.0f records/s, ratio"
                  + " %.3f%n",
              name, round, round % 2 == 0 ? "loop" : "pipekeeper", loop, pipeline, pipeline / loop);
        }
        double ratio = pipelines.percentile(50) / loops.percentile(50);
        double[] interval = ratios.medianInterval95();
        report.append(
            String.format(
                "| %s | %,d | %d | %,.0f (%,.0f–%,.0f) | %,.0f (%,.0f–%,.0f) | %.3f | %.3f"
                    + " (%.3f–%.3f) | ≥ %.2f | %s |%n",
                name,
                records,
                rounds,
                loops.percentile(50),
                loops.min(),
                loops.max(),
                pipelines.percentile(50),
                pipelines.min(),
                pipelines.max(),
                ratio,
                ratios.percentile(50),
                interval[0],
                interval[1],
                TARGET,
                ratios.percentile(50) >= TARGET ? "met" : "missed"));
      }
      report.append(
          String.format(
              "%nInput records of about 20 bytes over %d partitions; one instance per side; broker"
                  + " in a child JVM; %d uncounted warm-up pair(s) per guarantee.%n",
              partitions, warmup));
    }
    System.out.print(report);
  }

  /** The runs of one harness: each gets a fresh group and output topic, deleted afterwards. */
  private static final class Runs {
    private final Pipekeeper pk;
    private final String bootstrap;
    private int run;

    Runs(Pipekeeper pk, String bootstrap) {
      this.pk = pk;
      this.bootstrap = bootstrap;
    }

    double loop(String input, Guarantee guarantee, int records) throws Exception {
      String out = "bench-out-" + run;
      createTopic(bootstrap, out, 1);
      try {
        return handWritten(bootstrap, input, "loop-" + run++, out, guarantee, records);
      } finally {
        deleteTopic(bootstrap, out);
      }
    }

    double pipeline(String input, Guarantee guarantee, int records) throws Exception {
      String out = "bench-out-" + run;
      createTopic(bootstrap, out, 1);
      try {
        return ParallelThroughputBench.pipeline(
            pk, bootstrap, input, "pipeline-" + run++, out, guarantee, records);
      } finally {
        deleteTopic(bootstrap, out);
      }
    }
  }

  private static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  private static void deleteTopic(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.deleteTopics(List.of(topic)).all().get();
    }
  }

  private static void produceInput(String bootstrap, String input, int records) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(input, "key-" + i, "value-" + i));
      }
      producer.flush();
    }
  }

  /** Records/s of the hand-written loop until it has committed every input record. */
  private static double handWritten(
      String bootstrap, String input, String group, String out, Guarantee guarantee, int records) {
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
      consumer.subscribe(List.of(input));
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
      Pipekeeper pk,
      String bootstrap,
      String input,
      String name,
      String out,
      Guarantee guarantee,
      int records)
      throws InterruptedException {
    try (Pipeline pipeline =
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .bootstrapServers(bootstrap)
            .topics(input)
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
