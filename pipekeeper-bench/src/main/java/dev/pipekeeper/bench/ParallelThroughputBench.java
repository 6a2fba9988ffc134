package dev.pipekeeper.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineBuilder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
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
 * auto commit, the pipeline clients' {@code retry.backoff.ms}; one transaction per poll batch with
 * the offsets for EXACTLY_ONCE, flush then commitSync for AT_LEAST_ONCE), over the same
 * pre-produced input, in the same run. The transform upper-cases a String value. Each guarantee has
 * an input topic of its own ({@code eosRecords} and {@code aloRecords} records; AT_LEAST_ONCE needs
 * many more for a run to last long enough to be measured). Each side's rate counts from its first
 * committed batch to its last (the group join is left out of both).
 *
 * <p>Rounds: {@code warmup} uncounted pairs first (the JIT compiles the Kafka clients' code that
 * both sides share during the first runs, which favours whichever runs second), then {@code rounds}
 * pairs whose order alternates (loop first, then Pipekeeper first, ...), each run with a fresh
 * group and output topic, deleted after the run. Reported: each side's median, the ratio of the
 * medians, and the median of the per-pair ratios with an approximate 95% interval; also the CPU
 * time per record, of this JVM and of the processing thread, over the same windows. Target:
 * Pipekeeper ≥ 0.95× the loop's records/s, judged on the per-pair median.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.ParallelThroughputBench -Dbench.args="guarantees=AT_LEAST_ONCE
 * rounds=15"}.
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
    int warmup = settings.integer("warmup", 2, 0);
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
      Runs runs = new Runs(pk, bootstrap);
      StringBuilder rates = new StringBuilder();
      StringBuilder costs = new StringBuilder();
      for (String name : guarantees) {
        Guarantee guarantee = Guarantee.valueOf(name);
        int records = guarantee == Guarantee.EXACTLY_ONCE ? eosRecords : aloRecords;
        String input = "bench-in-" + name;
        createTopic(bootstrap, input, partitions);
        produceInput(bootstrap, input, records);
        Paired paired =
            Paired.run(
                name,
                warmup,
                rounds,
                "loop",
                () -> runs.loop(input, guarantee, records),
                "pipekeeper",
                () -> runs.pipeline(input, guarantee, records));
        Sides rate = paired.rate();
        Sides process = paired.process();
        Sides thread = paired.thread();
        double[] interval = rate.ratios.medianInterval95();
        double ratio = rate.ratios.percentile(50);
        rates.append(
            String.format(
                "| %s | %,d | %d | %s | %s | %.3f | %.3f (%.3f–%.3f) | ≥ %.2f | %s |%n",
                name,
                records,
                rounds,
                rate.baseline.describe("%,.0f"),
                rate.measured.describe("%,.0f"),
                rate.measured.percentile(50) / rate.baseline.percentile(50),
                ratio,
                interval[0],
                interval[1],
                TARGET,
                ratio >= TARGET ? "met" : "missed"));
        costs.append(
            String.format(
                "| %s | %s | %s | %.3f | %s | %s | %.3f |%n",
                name,
                process.baseline.describe("%,.0f"),
                process.measured.describe("%,.0f"),
                process.ratios.percentile(50),
                thread.baseline.describe("%,.0f"),
                thread.measured.describe("%,.0f"),
                thread.ratios.percentile(50)));
      }
      report.append(
          "| guarantee | records per run | pairs | hand-written loop, records/s: median (min–max)"
              + " | Pipekeeper PARALLEL, records/s: median (min–max) | ratio of medians | ratio"
              + " per pair: median (≈95% interval) | target | result |\n");
      report.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
      report.append(rates);
      report.append(
          "\nCPU time per record over the same windows, ns: median (min–max); ratios are"
              + " Pipekeeper / loop per pair, median.\n\n");
      report.append(
          "| guarantee | harness JVM, loop | harness JVM, Pipekeeper | ratio | processing thread,"
              + " loop | processing thread, Pipekeeper | ratio |\n");
      report.append("| --- | --- | --- | --- | --- | --- | --- |\n");
      report.append(costs);
      report.append(
          String.format(
              "%nInput records of about 20 bytes over %d partitions; one instance per side; broker"
                  + " in a child JVM; %d uncounted warm-up pair(s) per guarantee.%n",
              partitions, warmup));
    }
    System.out.print(report);
  }

  /**
   * One run's figures over its window (first committed batch to last): records/s, and CPU time per
   * record of this JVM (both sides run here: clients' threads, GC and JIT included) and of the
   * thread that processes the records (the loop's own, the pipeline's).
   */
  record Measured(double rate, double processCpuNanos, double threadCpuNanos) {}

  /** One side's run, as {@link Paired#run} makes it. */
  interface OneRun {
    Measured run() throws Exception;
  }

  /** The figures of pairs of runs: records/s, JVM and processing-thread CPU per record. */
  record Paired(Sides rate, Sides process, Sides thread) {

    /**
     * {@code warmup} uncounted pairs (baseline first), then {@code rounds} pairs whose order
     * alternates (baseline first, then measured first, ...), each pair printed to stderr.
     */
    static Paired run(
        String label,
        int warmup,
        int rounds,
        String baselineName,
        OneRun baseline,
        String measuredName,
        OneRun measured)
        throws Exception {
      for (int round = 0; round < warmup; round++) {
        Measured b = baseline.run();
        Measured m = measured.run();
        System.err.printf(
            "%s warm-up %d: %s %.0f records/s, %s %.0f records/s%n",
            label, round, baselineName, b.rate(), measuredName, m.rate());
      }
      Paired paired = new Paired(new Sides(), new Sides(), new Sides());
      for (int round = 0; round < rounds; round++) {
        Measured b;
        Measured m;
        if (round % 2 == 0) {
          b = baseline.run();
          m = measured.run();
        } else {
          m = measured.run();
          b = baseline.run();
        }
        paired.rate.add(b.rate(), m.rate());
        paired.process.add(b.processCpuNanos(), m.processCpuNanos());
        paired.thread.add(b.threadCpuNanos(), m.threadCpuNanos());
        System.err.printf(
            "%s round %d (%s first): %s %.0f records/s, %s %.0f records/s, ratio %.3f; CPU"
                + " ns/record: JVM %.0f vs %.0f, processing thread %.0f vs %.0f%n",
            label,
            round,
            round % 2 == 0 ? baselineName : measuredName,
            baselineName,
            b.rate(),
            measuredName,
            m.rate(),
            m.rate() / b.rate(),
            b.processCpuNanos(),
            m.processCpuNanos(),
            b.threadCpuNanos(),
            m.threadCpuNanos());
      }
      return paired;
    }
  }

  /**
   * The figures of both sides of pairs, and of each pair the ratio measured / baseline (here
   * Pipekeeper / the loop).
   */
  static final class Sides {
    final Stats baseline = new Stats();
    final Stats measured = new Stats();
    final Stats ratios = new Stats();

    void add(double baselineValue, double measuredValue) {
      baseline.add(baselineValue);
      measured.add(measuredValue);
      ratios.add(measuredValue / baselineValue);
    }
  }

  /** CPU time of this JVM and of one of its threads, read at a window's start and end. */
  private static final class CpuClock {
    private static final OperatingSystemMXBean OS =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final long thread;
    private final long processStart;
    private final long threadStart;

    private CpuClock(long thread) {
      this.thread = thread;
      this.processStart = OS.getProcessCpuTime();
      this.threadStart = THREADS.getThreadCpuTime(thread);
    }

    static CpuClock start(Thread thread) {
      return new CpuClock(thread.getId());
    }

    Measured stop(long records, long nanos) {
      double process = OS.getProcessCpuTime() - processStart;
      double own = THREADS.getThreadCpuTime(thread) - threadStart;
      return new Measured(records / (nanos / 1e9), process / records, own / records);
    }
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

    Measured loop(String input, Guarantee guarantee, int records) throws Exception {
      String out = "bench-out-" + run;
      createTopic(bootstrap, out, 1);
      try {
        return handWritten(bootstrap, input, "loop-" + run++, out, guarantee, records);
      } finally {
        deleteTopic(bootstrap, out);
      }
    }

    Measured pipeline(String input, Guarantee guarantee, int records) throws Exception {
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
    createTopic(KafkaClientSettings.of(bootstrap), topic, partitions);
  }

  /** Creates {@code topic} with {@code partitions}, replication 1, as {@code kafka}'s user. */
  static void createTopic(KafkaClientSettings kafka, String topic, int partitions)
      throws Exception {
    try (Admin admin = Admin.create(kafka.admin())) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  private static void deleteTopic(String bootstrap, String topic) throws Exception {
    deleteTopic(KafkaClientSettings.of(bootstrap), topic);
  }

  /** Deletes {@code topic} as {@code kafka}'s user. */
  static void deleteTopic(KafkaClientSettings kafka, String topic) throws Exception {
    try (Admin admin = Admin.create(kafka.admin())) {
      admin.deleteTopics(List.of(topic)).all().get();
    }
  }

  private static void produceInput(String bootstrap, String input, int records) {
    produceInput(KafkaClientSettings.of(bootstrap), input, records);
  }

  /** Writes {@code records} String records of about 20 bytes to {@code input}. */
  static void produceInput(KafkaClientSettings kafka, String input, int records) {
    Map<String, Object> props = kafka.producer();
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(input, "key-" + i, "value-" + i));
      }
      producer.flush();
    }
  }

  /** The hand-written loop until it has committed every input record. */
  private static Measured handWritten(
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
    // the pipeline's clients retry after this, not after Kafka's default 100 ms: with a
    // transaction per batch, the loop's next one is answered "retry" while the last one's markers
    // are written, and would wait out the longer backoff (P3 compares the same settings)
    consumerProps.put(
        CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, PipelineBuilder.DEFAULT_RETRY_BACKOFF_MS);
    Map<String, Object> producerProps = new HashMap<>();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(
        CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, PipelineBuilder.DEFAULT_RETRY_BACKOFF_MS);
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
      CpuClock cpu = null;
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
          cpu = CpuClock.start(Thread.currentThread());
          first = done;
        }
      }
      return cpu.stop(done - first, System.nanoTime() - start);
    }
  }

  /** A Pipekeeper PARALLEL pipeline until it has committed every input record. */
  private static Measured pipeline(
      Pipekeeper pk,
      String bootstrap,
      String input,
      String name,
      String out,
      Guarantee guarantee,
      int records)
      throws InterruptedException {
    return pipeline(pk, KafkaClientSettings.of(bootstrap), input, name, out, guarantee, records);
  }

  /**
   * A Pipekeeper PARALLEL pipeline named {@code name} on {@code kafka}, upper-casing {@code input}
   * into {@code out}, until it has committed {@code records} records.
   */
  static Measured pipeline(
      Pipekeeper pk,
      KafkaClientSettings kafka,
      String input,
      String name,
      String out,
      Guarantee guarantee,
      int records)
      throws InterruptedException {
    try (Pipeline pipeline =
        Pipeline.builder(name, Serdes.String(), Serdes.String(), Serdes.String(), Serdes.String())
            .pipekeeper(pk)
            .kafka(kafka)
            .topics(input)
            .guarantee(guarantee)
            .processor(
                (record, ctx) ->
                    ctx.emit(out, record.key(), record.value().toUpperCase(Locale.ROOT)))
            .build()) {
      pipeline.start();
      while (pipeline.processed() == 0) {
        TimeUnit.MILLISECONDS.sleep(1); // the harness looks, rarely enough not to compete
        failIfFailed(pipeline);
      }
      long start = System.nanoTime(); // from the first committed batch on: group joins excluded
      CpuClock cpu = CpuClock.start(pipelineThread(name));
      long first = pipeline.processed();
      while (pipeline.processed() < records) {
        TimeUnit.MILLISECONDS.sleep(5); // ends the window up to 5 ms late: 0.1% of a 5 s run
        failIfFailed(pipeline);
      }
      return cpu.stop(pipeline.processed() - first, System.nanoTime() - start);
    }
  }

  /** Ends the run when the pipeline failed (it would never reach its count). */
  private static void failIfFailed(Pipeline pipeline) {
    pipeline
        .failure()
        .ifPresent(
            e -> {
              throw new IllegalStateException("pipeline " + pipeline.name() + " failed", e);
            });
  }

  /** The pipeline's own thread, found by the name the pipeline gives it. */
  private static Thread pipelineThread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("pipekeeper-pipeline-" + name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no thread of pipeline " + name));
  }
}
