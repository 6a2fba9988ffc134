package dev.pipekeeper.bench;

import dev.pipekeeper.bench.ParallelThroughputBench.Measured;
import dev.pipekeeper.bench.ParallelThroughputBench.Paired;
import dev.pipekeeper.bench.ParallelThroughputBench.Sides;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.security.ZooKeeperSecurity;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.PipelineAcls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The cost of security on PARALLEL throughput (P3's workload, issue 17): the same Pipekeeper
 * PARALLEL pipeline (upper-casing String values, one instance) on a plaintext deployment and on a
 * secured one, in one run, runs alternating. Secured means what docs/security.md sets up: Kafka's
 * SASL_SSL listener with SCRAM-SHA-512 and the StandardAuthorizer, the pipeline running as {@code
 * writer} with exactly the ACLs {@link PipelineAcls} gives it; ZooKeeper with TLS only and SASL
 * required. All four servers run in child JVMs with the same settings, so the transport and the
 * authorizer are the only differences. Each run has a fresh pipeline name, group and output topic.
 *
 * <p>Reported per guarantee: each side's records/s, the ratio of the medians and the median of the
 * per-pair ratios (secured / plaintext) with an approximate 95% interval, and the CPU time per
 * record of this JVM (where the clients seal and open the TLS records; the brokers' share is in
 * their own JVMs and not counted).
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.ParallelTlsCostBench -Dbench.args="rounds=7"}.
 */
public final class ParallelTlsCostBench {
  private static final String CLUSTER = "tlsthroughputbench";
  private static final List<String> BROKER_JVM = List.of("-Xmx1g", "-XX:+UseSerialGC");

  private ParallelTlsCostBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int eosRecords = settings.integer("eosRecords", 1_000_000, 1000);
    int aloRecords = settings.integer("aloRecords", 3_000_000, 1000);
    int rounds = settings.integer("rounds", 7, 1);
    int warmup = settings.integer("warmup", 2, 0);
    int partitions = settings.integer("partitions", 4, 1);
    List<String> guarantees =
        settings.list(
            "guarantees", "EXACTLY_ONCE,AT_LEAST_ONCE", List.of("EXACTLY_ONCE", "AT_LEAST_ONCE"));
    settings.checkNoneUnknown();
    Path dir = Files.createTempDirectory("pipekeeper-tls-throughput-bench-");
    try {
      EmbeddedSecurity material = EmbeddedSecurity.create(dir.resolve("security"));
      try (EmbeddedZooKeeper plainZk =
              EmbeddedZooKeeper.builder().launch(Launch.CHILD_PROCESS).build().start();
          EmbeddedZooKeeper secureZk =
              EmbeddedZooKeeper.builder().secure(material).build().start();
          EmbeddedKafka plainKafka = broker(EmbeddedKafka.builder());
          EmbeddedKafka secureKafka = broker(EmbeddedKafka.builder().secure(material));
          Pipekeeper plainPk =
              Pipekeeper.builder().zookeeper(plainZk.connectString()).cluster(CLUSTER).build();
          Pipekeeper securePk =
              Pipekeeper.builder()
                  .zookeeper(secureZk.connectString())
                  .security(writer(material))
                  .cluster(CLUSTER)
                  .build()) {
        KafkaClientSettings plainClients = KafkaClientSettings.of(plainKafka.bootstrapServers());
        Deployment plain = new Deployment(plainPk, plainClients, plainClients, null);
        Deployment secure =
            new Deployment(
                securePk,
                KafkaClientSettings.from(secureKafka.clientProperties(EmbeddedSecurity.ADMIN)),
                KafkaClientSettings.from(secureKafka.clientProperties(EmbeddedSecurity.WRITER)),
                "User:" + EmbeddedSecurity.WRITER);
        StringBuilder report = new StringBuilder();
        report.append(Environment.header("ParallelTlsCostBench", settings));
        report.append(
            "| guarantee | records per run | pairs | plaintext, records/s: median (min–max) |"
                + " SASL_SSL + TLS ZooKeeper, records/s: median (min–max) | ratio of medians |"
                + " ratio per pair: median (≈95% interval) | JVM CPU ns/record, plaintext |"
                + " JVM CPU ns/record, secured | CPU ratio per pair |\n");
        report.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String name : guarantees) {
          Guarantee guarantee = Guarantee.valueOf(name);
          int records = guarantee == Guarantee.EXACTLY_ONCE ? eosRecords : aloRecords;
          String input = "bench-in-" + name;
          plain.prepareInput(input, partitions, records);
          secure.prepareInput(input, partitions, records);
          Paired paired =
              Paired.run(
                  name,
                  warmup,
                  rounds,
                  "plaintext",
                  () -> plain.run(input, guarantee, records),
                  "secured",
                  () -> secure.run(input, guarantee, records));
          Sides rate = paired.rate();
          Sides cpu = paired.process();
          double[] interval = rate.ratios.medianInterval95();
          report.append(
              String.format(
                  "| %s | %,d | %d | %s | %s | %.3f | %.3f (%.3f–%.3f) | %s | %s | %.3f |%n",
                  name,
                  records,
                  rounds,
                  rate.baseline.describe("%,.0f"),
                  rate.measured.describe("%,.0f"),
                  rate.measured.percentile(50) / rate.baseline.percentile(50),
                  rate.ratios.percentile(50),
                  interval[0],
                  interval[1],
                  cpu.baseline.describe("%,.0f"),
                  cpu.measured.describe("%,.0f"),
                  cpu.ratios.percentile(50)));
        }
        report.append(
            String.format(
                "%nInput records of about 20 bytes over %d partitions; one instance per side; the"
                    + " brokers and ZooKeeper servers in child JVMs; %d uncounted warm-up pair(s)"
                    + " per guarantee.%n",
                partitions, warmup));
        System.out.print(report);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(f -> f.delete());
      }
    }
  }

  private static EmbeddedKafka broker(EmbeddedKafka.Builder builder) {
    return builder.launch(Launch.CHILD_PROCESS).childJvmOptions(BROKER_JVM).build().start();
  }

  private static ZooKeeperSecurity writer(EmbeddedSecurity material) {
    return ZooKeeperSecurity.builder()
        .truststore(material.truststore(), material.storePasswordFile())
        .sasl(EmbeddedSecurity.WRITER, material.passwordFile(EmbeddedSecurity.WRITER))
        .build();
  }

  /**
   * One deployment: its ZooKeeper connection, the Kafka settings of its admin (topics, ACLs) and of
   * its pipelines, and the pipelines' principal when the broker authorizes (null: no ACLs).
   */
  private static final class Deployment {
    private final Pipekeeper pk;
    private final KafkaClientSettings admin;
    private final KafkaClientSettings clients;
    private final String principal;
    private int run;

    Deployment(
        Pipekeeper pk, KafkaClientSettings admin, KafkaClientSettings clients, String principal) {
      this.pk = pk;
      this.admin = admin;
      this.clients = clients;
      this.principal = principal;
    }

    void prepareInput(String input, int partitions, int records) throws Exception {
      ParallelThroughputBench.createTopic(admin, input, partitions);
      ParallelThroughputBench.produceInput(admin, input, records);
    }

    /** One pipeline run, with its own name, group and output topic (deleted afterwards). */
    Measured run(String input, Guarantee guarantee, int records) throws Exception {
      String name = "pipeline-" + run;
      String out = "bench-out-" + run++;
      ParallelThroughputBench.createTopic(admin, out, 1);
      try {
        if (principal != null) {
          PipelineAcls acls =
              PipelineAcls.builder(name).guarantee(guarantee).inputs(input).outputs(out).build();
          grant(acls.bindings(principal));
        }
        return ParallelThroughputBench.pipeline(pk, clients, input, name, out, guarantee, records);
      } finally {
        ParallelThroughputBench.deleteTopic(admin, out);
      }
    }

    /**
     * Creates {@code bindings} and waits (bounded) until the broker's authorizer answers with them:
     * a KRaft broker applies ACLs from its metadata log after the controller has committed them.
     */
    private void grant(List<AclBinding> bindings) throws Exception {
      try (Admin client = Admin.create(admin.admin())) {
        client.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (AclBinding binding : bindings) {
          while (client
              .describeAcls(binding.toFilter())
              .values()
              .get(30, TimeUnit.SECONDS)
              .isEmpty()) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("the broker did not apply ACL " + binding);
            }
            TimeUnit.MILLISECONDS.sleep(10); // between setup reads, outside any measured window
          }
        }
      }
    }
  }
}
