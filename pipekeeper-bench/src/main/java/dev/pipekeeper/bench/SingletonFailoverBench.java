package dev.pipekeeper.bench;

import dev.pipekeeper.bench.FailoverOutput.OutputCheck;
import dev.pipekeeper.bench.FailoverOutput.OutputTail;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * SINGLETON failover (issue 6, docs/design.md §7 P2): an exactly-once SINGLETON pipeline run by
 * {@code members} instances, each a {@link SingletonMember} in a child JVM, while this harness
 * produces a steady input stream ({@code rate} records/s). Each round finds the leader (the member
 * whose id the newest committed output carries), ends it, and times from just before that to the
 * first output record of the next term (a higher {@code pipekeeper.epoch} header) seen by a {@code
 * read_committed} consumer that tails the output topic; then a new member is started in place of
 * the old one, and the next round waits until the output has flowed for {@code settleMs} since it
 * started. The first {@code warmup} kills are not counted: they are the first time the broker
 * fences a transactional producer and aborts its transaction, whose code runs cold in the broker's
 * JVM (the first failover of a run took about a second longer than the others). Cases:
 *
 * <ul>
 *   <li>{@code kill}: the leader's JVM is killed with {@code kill -9}. Target: p99 ≤ the negotiated
 *       session timeout (measured in the same run, reported by the members) + 1 s.
 *   <li>{@code close}: the leader's standard input is closed, so it closes its pipeline and its
 *       connection gracefully. Target: p99 ≤ 250 ms.
 * </ul>
 *
 * <p>The time is split where the old leader's election node is deleted (seen through a watch of a
 * separate raw Curator client): before it, for a kill, the server expiring the session; after it,
 * the next member's lease, {@code initTransactions} (which aborts the old leader's open
 * transaction), the committed offsets, a poll, and a transaction commit. Those are split further:
 * when the old leader began to close (its {@code CLOSING} line), when the next leader raised the
 * role's epoch (a watch of the raw client on the epoch node), when its term opened and how long
 * {@code initTransactions} and the partitions and committed offsets took in it (its {@code LEADS}
 * line, from the pipeline's own log line); see {@link SingletonMember}. Those times are {@link
 * System#nanoTime()} in different JVMs, which on Linux is one monotonic clock for the machine.
 *
 * <p>At the end the input stops, and once every input record has an output, the whole output topic
 * is read again with {@code read_committed}: every input record must appear exactly once across all
 * the failovers (duplicates and missing records are reported, and make the harness exit with 1).
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.SingletonFailoverBench -Dbench.args="rounds=20"}.
 */
public final class SingletonFailoverBench {
  private static final String CLUSTER = "singletonfailoverbench";
  private static final String PIPELINE = "failover";
  private static final String INPUT = "failover-in";
  static final String OUTPUT = "failover-out";
  static final String EPOCH = "pipekeeper.epoch";
  private static final Duration START = Duration.ofSeconds(120);

  private SingletonFailoverBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs settings = BenchArgs.parse(args);
    int rounds = settings.integer("rounds", 10, 1);
    int warmup = settings.integer("warmup", 1, 0);
    int members = settings.integer("members", 3, 2);
    int sessionMs = settings.integer("sessionMs", 2000, 1000);
    int rate = settings.integer("rate", 200, 1);
    int partitions = settings.integer("partitions", 3, 1);
    int settleMs = settings.integer("settleMs", 1000, 0);
    List<String> cases = settings.list("cases", "kill,close", List.of("kill", "close"));
    StringBuilder report = new StringBuilder();
    boolean clean;
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(settings);
        EmbeddedKafka kafka =
            EmbeddedKafka.builder()
                .launch(Launch.CHILD_PROCESS)
                .childJvmOptions(List.of("-Xmx512m", "-XX:+UseSerialGC"))
                .build()
                .start();
        CuratorFramework raw = CuratorBaseline.client(zk.connectString(), sessionMs)) {
      settings.checkNoneUnknown();
      report.append(Environment.header("SingletonFailoverBench", settings));
      String bootstrap = kafka.bootstrapServers();
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(INPUT, partitions, (short) 1), new NewTopic(OUTPUT, 1, (short) 1)))
            .all()
            .get();
      }
      Members group = new Members(zk.connectString(), bootstrap, sessionMs);
      try (OutputTail tail = OutputTail.start(bootstrap);
          Input input = Input.start(bootstrap, rate)) {
        for (int i = 0; i < members; i++) {
          group.add();
        }
        tail.awaitReceivedAfter(System.nanoTime(), START);
        clean =
            run(
                new Run(
                    group,
                    tail,
                    input,
                    new RawObserver(raw, CLUSTER),
                    cases,
                    warmup,
                    rounds,
                    settleMs),
                report,
                members,
                rate,
                partitions,
                bootstrap);
      } finally {
        group.close();
      }
    }
    System.out.print(report);
    if (!clean) {
      System.exit(1);
    }
  }

  /** What a run works with. */
  private record Run(
      Members group,
      OutputTail tail,
      Input input,
      RawObserver observer,
      List<String> cases,
      int warmup,
      int rounds,
      int settleMs) {}

  /**
   * The figures of one case, split where the old leader's election node is deleted, and into the
   * {@link Failover#steps} (by step, in the order they come).
   */
  private record Figures(
      Stats total, Stats toDeletion, Stats fromDeletion, Map<String, Stats> steps) {
    Figures() {
      this(new Stats(), new Stats(), new Stats(), new LinkedHashMap<>());
    }

    void add(Failover failover) {
      total.add(failover.total());
      toDeletion.add(failover.toDeletion());
      fromDeletion.add(failover.total() - failover.toDeletion());
      failover.steps().forEach((step, ms) -> steps.computeIfAbsent(step, s -> new Stats()).add(ms));
    }
  }

  private static boolean run(
      Run run, StringBuilder report, int members, int rate, int partitions, String bootstrap)
      throws Exception {
    Map<String, Figures> figures = new LinkedHashMap<>();
    long negotiated = 0;
    List<String> warmups = new java.util.ArrayList<>();
    for (int round = 0; round < run.warmup(); round++) {
      Failover failover = failover(run, "kill", "warm-up " + round);
      negotiated = failover.negotiatedMs();
      warmups.add(String.format("%.0f ms", failover.total()));
    }
    for (String name : run.cases()) {
      Figures measured = new Figures();
      figures.put(name, measured);
      for (int round = 0; round < run.rounds(); round++) {
        Failover failover = failover(run, name, "round " + round);
        negotiated = failover.negotiatedMs();
        measured.add(failover);
      }
    }
    long produced = run.input().stop();
    run.tail().awaitDistinct(produced, Duration.ofSeconds(120));
    OutputCheck check = OutputCheck.read(bootstrap, produced);
    report.append(
        "| case | measure | failovers | p50 (ms) | p99 (ms) | max (ms) | target p99 (ms) | p99 /"
            + " target |\n");
    report.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Map.Entry<String, Figures> entry : figures.entrySet()) {
      boolean kill = entry.getKey().equals("kill");
      Figures measured = entry.getValue();
      double target = kill ? negotiated + 1000.0 : 250.0;
      double p99 = measured.total().percentile(99);
      String what =
          kill
              ? "kill -9 of the leader's JVM (session " + negotiated + " ms)"
              : "graceful close of the leader";
      report.append(
          String.format(
              "| %s | → first output of the next term committed | %d | %.0f | %.0f | %.0f | ≤ %.0f"
                  + " | %.2f (%s) |%n",
              what,
              measured.total().count(),
              measured.total().percentile(50),
              p99,
              measured.total().max(),
              target,
              p99 / target,
              p99 <= target ? "met" : "missed"));
      report.append(row(what, "→ its election node deleted", measured.toDeletion()));
      report.append(row(what, "node deleted → first output committed", measured.fromDeletion()));
      measured.steps().forEach((step, stats) -> report.append(row(what, step, stats)));
    }
    if (!warmups.isEmpty()) {
      report.append(
          String.format(
              "%nNot counted above: %d warm-up kill(s), next term's first output after %s.%n",
              warmups.size(), String.join(", ", warmups)));
    }
    report.append(
        String.format(
            "%nOutput, read again with read_committed after the input stopped: %d input records,"
                + " %d output records, %d distinct, %d duplicates, %d missing, %d terms"
                + " (epochs) — %s.%n",
            produced,
            check.records(),
            check.distinct(),
            check.duplicates(),
            check.missing(),
            check.epochs(),
            check.clean() ? "exactly once" : "NOT exactly once"));
    report.append(
        String.format(
            "%n%d members (each a child JVM, replaced after each failover), input %d records/s"
                + " over %d partitions, output 1 partition; broker in a child JVM.%n",
            members, rate, partitions));
    return check.clean();
  }

  /**
   * One failover: from the old leader's end to the next term's first output, and to deletion; and
   * its steps in ms, by name in order (those the members' lines did not tell are left out).
   */
  private record Failover(
      double total, double toDeletion, long negotiatedMs, Map<String, Double> steps) {}

  private static final String CLOSE_BEGINS =
      "→ the leader's close begins (harness: `kill -CONT`, its stdin closed)";
  private static final String CLOSE_TO_DELETION = "close begins → its election node deleted";
  private static final String DELETION_TO_EPOCH =
      "node deleted → epoch raised (next leader's latch, its epoch write)";
  private static final String EPOCH_TO_TERM = "epoch raised → the pipeline loop opens the term";
  private static final String INIT = "initTransactions";
  private static final String OFFSETS = "partitions, assign, committed offsets, seek";
  private static final String TERM_TO_OUTPUT =
      "term opened → first output seen (first poll, batch, its transaction, the tail's fetch)";
  private static final String CLOSE_TO_OUTPUT = "close begins → first output committed";

  /**
   * Ends the current leader ({@code kill} or {@code close}), times the next term's first output,
   * then replaces the old leader with a new member and waits for the output to flow again.
   */
  private static Failover failover(Run run, String how, String label) throws Exception {
    OutputTail.Seen current = run.tail().newest();
    String leader = current.member();
    long negotiated = run.group().negotiatedMs(leader);
    RawObserver.Change deletion = run.observer().watchLeaderNode(PIPELINE + ".singleton");
    RawObserver.Change raised = run.observer().watchEpoch(PIPELINE + ".singleton");
    long start = System.nanoTime();
    ChildJvm ended = how.equals("kill") ? run.group().kill(leader) : run.group().stop(leader);
    OutputTail.Seen next =
        run.tail().awaitEpochAbove(current.epoch(), Duration.ofMillis(negotiated + 60_000));
    long deleted = deletion.await(Duration.ofSeconds(10));
    long epochRaised = raised.await(Duration.ofSeconds(10));
    Map<String, Double> steps = new LinkedHashMap<>();
    OptionalLong closing = how.equals("kill") ? OptionalLong.empty() : closing(ended);
    if (closing.isPresent()) {
      steps.put(CLOSE_BEGINS, ms(start, closing.getAsLong()));
      steps.put(CLOSE_TO_DELETION, ms(closing.getAsLong(), deleted));
    }
    steps.put(DELETION_TO_EPOCH, ms(deleted, epochRaised));
    long[] leads = run.group().leads(next.member(), next.epoch());
    if (leads != null) {
      long opened = leads[0];
      steps.put(EPOCH_TO_TERM, ms(epochRaised, opened) - leads[1] - leads[2]);
      steps.put(INIT, (double) leads[1]);
      steps.put(OFFSETS, (double) leads[2]);
      steps.put(TERM_TO_OUTPUT, ms(opened, next.nanos()));
    }
    if (closing.isPresent()) {
      steps.put(CLOSE_TO_OUTPUT, ms(closing.getAsLong(), next.nanos()));
    }
    Failover failover =
        new Failover(ms(start, next.nanos()), ms(start, deleted), negotiated, steps);
    StringBuilder split = new StringBuilder();
    steps.forEach((step, ms) -> split.append(String.format("%n    %s: %.0f ms", step, ms)));
    System.err.printf(
        "%s %s: %s (epoch %d) ended; %s's first output (epoch %d) committed after %.0f ms"
            + " (election node deleted after %.0f ms)%s%n",
        how,
        label,
        leader,
        current.epoch(),
        next.member(),
        next.epoch(),
        failover.total(),
        failover.toDeletion(),
        split);
    long replaced = run.group().add();
    run.tail()
        .awaitReceivedAfter(
            replaced + TimeUnit.MILLISECONDS.toNanos(run.settleMs()), Duration.ofSeconds(60));
    return failover;
  }

  private static double ms(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e6;
  }

  /** When the stopped member began to close (its {@code CLOSING} line), if it said. */
  private static OptionalLong closing(ChildJvm stopped) {
    for (String line : stopped.lines()) {
      if (line.startsWith("CLOSING ")) {
        return OptionalLong.of(Long.parseLong(line.substring("CLOSING ".length())));
      }
    }
    return OptionalLong.empty();
  }

  private static String row(String what, String measure, Stats stats) {
    return String.format(
        "| %s | %s | %d | %.0f | %.0f | %.0f | — | — |%n",
        what, measure, stats.count(), stats.percentile(50), stats.percentile(99), stats.max());
  }

  /** The member JVMs, by member id. */
  private static final class Members implements AutoCloseable {
    private final String zkConnect;
    private final String bootstrap;
    private final int sessionMs;
    private final Map<String, ChildJvm> running = new LinkedHashMap<>();
    private final Map<String, Long> negotiated = new HashMap<>();
    private int next;

    Members(String zkConnect, String bootstrap, int sessionMs) {
      this.zkConnect = zkConnect;
      this.bootstrap = bootstrap;
      this.sessionMs = sessionMs;
    }

    /** Starts a member with a new id; returns {@link System#nanoTime()} once it contends. */
    long add() {
      String id = "m" + next++;
      ChildJvm child =
          ChildJvm.start(
              SingletonMember.class,
              List.of(
                  zkConnect,
                  CLUSTER,
                  bootstrap,
                  PIPELINE,
                  id,
                  INPUT,
                  OUTPUT,
                  Integer.toString(sessionMs)));
      running.put(id, child);
      negotiated.put(id, Long.parseLong(child.awaitLine("SESSION", START)));
      child.awaitLine("STARTED", START);
      return System.nanoTime();
    }

    long negotiatedMs(String id) {
      Long value = negotiated.get(id);
      if (value == null) {
        throw new IllegalStateException("no member " + id + " was started");
      }
      return value;
    }

    /**
     * Closes the member's standard input: its pipeline closes, and it exits. Returns its JVM
     * (gone).
     */
    ChildJvm stop(String id) {
      ChildJvm child = running.remove(id);
      if (child == null) {
        throw new IllegalStateException("member " + id + " does not run");
      }
      child.stop(Duration.ofSeconds(30));
      return child;
    }

    /** {@code kill -9} of the member's JVM (returns once it is gone). Returns its JVM. */
    ChildJvm kill(String id) {
      ChildJvm child = running.remove(id);
      if (child == null) {
        throw new IllegalStateException("member " + id + " does not run");
      }
      child.kill();
      return child;
    }

    /**
     * The running member's {@code LEADS} line of term {@code epoch} as {nanos, initTransactions ms,
     * partitions and committed offsets ms}, or null if it printed none for that term (it prints it
     * before the term's first batch, so it has by the time the batch's output is seen).
     */
    long[] leads(String id, long epoch) {
      ChildJvm child = running.get(id);
      if (child == null) {
        return null;
      }
      child.awaitLine("LEADS", Duration.ofSeconds(10));
      for (String line : child.lines()) {
        String[] fields = line.split(" ");
        if (fields.length == 5 && fields[0].equals("LEADS") && Long.parseLong(fields[2]) == epoch) {
          return new long[] {
            Long.parseLong(fields[1]), Long.parseLong(fields[3]), Long.parseLong(fields[4])
          };
        }
      }
      return null;
    }

    @Override
    public void close() {
      running.values().forEach(ChildJvm::close);
      running.clear();
    }
  }

  /** The steady input: {@code key-i → value-i}, i = 0, 1, ..., at a fixed rate. */
  private static final class Input implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "bench-input");
              thread.setDaemon(true);
              return thread;
            });
    private final AtomicLong sent = new AtomicLong();

    private Input(KafkaProducer<String, String> producer) {
      this.producer = producer;
    }

    static Input start(String bootstrap, int rate) {
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      Input input =
          new Input(new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()));
      long periodMicros = Math.max(1, 1_000_000L / rate);
      input.timer.scheduleAtFixedRate(input::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
      return input;
    }

    private void sendOne() {
      long i = sent.getAndIncrement();
      producer.send(new ProducerRecord<>(INPUT, "key-" + i, "value-" + i));
    }

    /** Stops sending; returns how many records were sent (all acknowledged). */
    long stop() throws InterruptedException {
      timer.shutdown();
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the input did not stop");
      }
      producer.flush();
      return sent.get();
    }

    @Override
    public void close() {
      timer.shutdownNow();
      producer.close();
    }
  }
}
