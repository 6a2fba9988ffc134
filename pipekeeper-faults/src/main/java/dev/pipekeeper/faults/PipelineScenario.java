package dev.pipekeeper.faults;

import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.faults.Fleet.Fault;
import dev.pipekeeper.faults.HistoryChecker.Report;
import dev.pipekeeper.faults.HistoryChecker.Violation;
import dev.pipekeeper.faults.OutageChecker.Output;
import dev.pipekeeper.faults.OutageChecker.Window;
import dev.pipekeeper.kafka.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exactly-once pipeline ({@link PipelineWorker} instances, SINGLETON, PARALLEL or SHARDED) on a
 * three-server ZooKeeper ensemble and a KRaft broker, fed all along while faults drawn from a
 * seeded schedule hit its instances and the ensemble ({@link Fleet.Fault}; a pause is done to the
 * instance that wrote the newest output). SINGLETON and PARALLEL read an input topic a feeder fills
 * at an even pace; SHARDED runs {@value #UNITS} work units, each reading its own external system
 * whose records arrive at an even pace ({@link CountingSource}), its position stored in a positions
 * topic. Between faults the pipeline's configuration changes now and then (a new {@link
 * ConfigConvergence#MARK}), and every instance must apply it within the recovery bound; once the
 * faults end it changes once more and every instance must converge to it. Afterwards the whole
 * output is read {@code read_committed} and checked: every input record exactly once ({@link
 * HistoryChecker#checkOutput}), and through every fault the output went on, paused or resumed as it
 * should ({@link OutageChecker}).
 */
public final class PipelineScenario {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineScenario.class);
  private static final String INPUT = "faults-in";
  private static final String OUTPUT = "faults-out";
  private static final String POSITIONS = "faults-positions";

  /** SHARDED: how many work units, each its own external system ({@link CountingSource}). */
  static final int UNITS = 6;

  /**
   * How soon output must come again after a fault, in the long runs ({@link Settings#bounds()}).
   */
  public static final Duration RESUME = Duration.ofSeconds(30);

  /**
   * How to run.
   *
   * @param seed the schedule's seed
   * @param mode SINGLETON, PARALLEL or SHARDED
   * @param workers how many instances
   * @param faults how many faults, one after the other
   * @param records how many input records, fed at an even pace while the faults run (SHARDED:
   *     shared evenly by the units, rounded down)
   * @param session the instances' session timeout
   * @param recovery how long, after the last fault, the output may take to be complete, and a
   *     configuration change to be applied by every instance
   * @param dir where the servers' data goes
   * @param resume how soon after a fault's end output must come again ({@link #RESUME})
   */
  public record Settings(
      long seed,
      Mode mode,
      int workers,
      int faults,
      int records,
      Duration session,
      Duration recovery,
      Path dir,
      Duration resume) {
    /**
     * The bounds {@link OutageChecker} holds the output to: with one or two ZooKeeper servers down
     * a PARALLEL pipeline's output may stop for two session timeouts at most; without a quorum
     * SINGLETON and SHARDED work pauses within one session timeout (the longest a client can take
     * to notice a dead connection is two thirds of it); after a fault, output (each SHARDED unit's)
     * comes again within {@code resume}.
     */
    OutageChecker.Bounds bounds() {
      return new OutageChecker.Bounds(session.multipliedBy(2), session, resume);
    }
  }

  /**
   * What a run gave.
   *
   * @param output the check of the output: every record once, and when it came ({@link
   *     OutageChecker}, whose figures are among its counts), and the configuration converging
   * @param injected how many faults of each kind
   * @param writers how many output records each instance wrote
   * @param restartsBeforeReady how often a restarted instance exited before it was ready (refused
   *     while its killed predecessor's session lived on) and was started again
   */
  public record Result(
      HistoryChecker.Report output,
      Map<String, Integer> injected,
      Map<String, Integer> writers,
      int restartsBeforeReady) {
    public boolean passed() {
      return output.passed();
    }
  }

  private PipelineScenario() {}

  /** Runs the scenario and checks its output. */
  public static Result run(Settings settings) {
    LOG.info(
        "fault scenario pipeline ({}): seed {}, {} instances, {} faults, {} records",
        settings.mode(),
        settings.seed(),
        settings.workers(),
        settings.faults(),
        settings.records());
    Random random = new Random(settings.seed());
    boolean sharded = settings.mode() == Mode.SHARDED;
    String pipelineName = "faults-" + settings.mode().name().toLowerCase(Locale.ROOT);
    int perUnit = settings.records() / UNITS;
    int records = sharded ? perUnit * UNITS : settings.records();
    long paceMillis = Math.max(1, faultMillis(settings) / Math.max(1, sharded ? perUnit : records));
    long sourcesStart = System.currentTimeMillis();
    try (KafkaBroker kafka = new KafkaBroker(settings.dir().resolve("kafka"));
        Fleet fleet =
            new Fleet(
                settings.dir().resolve("zookeeper"),
                PipelineWorker.class,
                (id, proxied, direct) ->
                    List.of(
                        proxied,
                        "faults",
                        kafka.bootstrapServers(),
                        pipelineName,
                        id,
                        sharded ? POSITIONS : INPUT,
                        OUTPUT,
                        settings.mode().name(),
                        Long.toString(settings.session().toMillis()),
                        Integer.toString(perUnit),
                        Long.toString(sourcesStart),
                        Long.toString(paceMillis)),
                kafka);
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        KafkaConsumer<String, String> reader = reader(kafka.bootstrapServers());
        Pipekeeper setup =
            Pipekeeper.builder()
                .zookeeper(fleet.connectString())
                .cluster("faults")
                .identity("faults-setup")
                .build()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(INPUT, 4, (short) 1),
                  new NewTopic(OUTPUT, 4, (short) 1),
                  new NewTopic(POSITIONS, 4, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      if (sharded) {
        for (int u = 0; u < UNITS; u++) {
          setup.workUnits(pipelineName).put(WorkUnit.of("t" + u));
        }
      }
      ConfigConvergence configurations =
          new ConfigConvergence(setup, Scope.pipeline(pipelineName), settings.recovery());
      for (int i = 1; i <= settings.workers(); i++) {
        fleet.start("w" + i);
      }
      reader.subscribe(List.of(OUTPUT));
      List<Output> output = new ArrayList<>();
      AtomicReference<String> newestWriter = new AtomicReference<>("w1");
      AtomicLong inputEnd =
          new AtomicLong(sharded ? sourcesStart + perUnit * paceMillis : Long.MAX_VALUE);
      Thread feeder =
          sharded ? null : feeder(kafka.bootstrapServers(), settings, paceMillis, inputEnd);
      if (feeder != null) {
        feeder.start();
      }

      Map<String, Integer> injected = new TreeMap<>();
      List<Window> windows = new ArrayList<>();
      List<Fault> kinds = fleet.faults();
      Duration past = settings.session().plusSeconds(1);
      for (int n = 1; n <= settings.faults(); n++) {
        read(reader, output, newestWriter);
        if (random.nextInt(3) == 0) {
          configurations.change(fleet.ids(), "before fault " + n);
        }
        Fault fault = kinds.get(random.nextInt(kinds.size()));
        List<String> ids = fleet.ids();
        String id =
            fault == Fault.PAUSE_WORKER ? newestWriter.get() : ids.get(random.nextInt(ids.size()));
        Fleet.Injected done = fleet.inject(fault, id, past, random);
        windows.add(new Window(fault, done, configurations.mark()));
        injected.merge(fault.name(), 1, Integer::sum);
        // How long it lasted: a broker restart's undoing (the new process until it answers) takes
        // most of it, and the output of every mode waits for it (docs/reliability.md).
        LOG.info(
            "fault {}/{}: {} (whole again {} ms after it began, {} ms after its undoing began)",
            n,
            settings.faults(),
            done.what(),
            done.endMillis() - done.startMillis(),
            done.endMillis() - done.undoMillis());
      }
      configurations.change(fleet.ids(), "after the faults");
      if (feeder != null) {
        join(feeder);
      }
      try {
        await("the whole output")
            .atMost(settings.recovery())
            .pollInterval(Duration.ofMillis(200))
            .until(() -> read(reader, output, newestWriter) >= records);
      } catch (ConditionTimeoutException e) {
        LOG.warn("the output was not complete within {}", settings.recovery());
      }
      // A duplicate committed with the last transactions would be here by now.
      read(reader, output, newestWriter);
      fleet.stopWorkers();

      List<String> expected = new ArrayList<>();
      if (sharded) {
        for (int u = 0; u < UNITS; u++) {
          for (int i = 1; i <= perUnit; i++) {
            expected.add("T" + u + "-" + i);
          }
        }
      } else {
        for (int i = 0; i < records; i++) {
          expected.add("R-" + i);
        }
      }
      Map<String, Integer> writers = new TreeMap<>();
      output.forEach(o -> writers.merge(o.writer(), 1, Integer::sum));
      Report exactlyOnce =
          HistoryChecker.checkOutput(expected, output.stream().map(Output::value).toList());
      Report timing =
          OutageChecker.check(settings.mode(), output, windows, inputEnd.get(), settings.bounds());
      return new Result(
          merge(exactlyOnce, timing, configurations.violations()),
          injected,
          writers,
          fleet.restartsBeforeReady());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("the pipeline scenario failed to run: " + e, e);
    }
  }

  private static Report merge(Report exactlyOnce, Report timing, List<Violation> config) {
    List<Violation> violations = new ArrayList<>(exactlyOnce.violations());
    violations.addAll(timing.violations());
    violations.addAll(config);
    Map<String, Long> counts = new TreeMap<>(exactlyOnce.counts());
    counts.putAll(timing.counts());
    return new Report(violations, counts);
  }

  /** Polls once; returns how many output records were read in all. */
  private static int read(
      KafkaConsumer<String, String> reader, List<Output> output, AtomicReference<String> newest) {
    for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
      // VALUE WRITER MARK, as PipelineWorker writes it
      String[] fields = r.value().split(" ");
      output.add(new Output(fields[0], fields[1], Integer.parseInt(fields[2]), r.timestamp()));
      newest.set(fields[1]);
    }
    return output.size();
  }

  /** About how long the faults take: the input arrives at an even pace over it. */
  private static long faultMillis(Settings settings) {
    return settings.faults() * (settings.session().toMillis() + 2500);
  }

  /**
   * Produces {@code r-0} … at an even pace over about the faults' length; sets {@code end} to when
   * the last was sent.
   */
  private static Thread feeder(
      String bootstrap, Settings settings, long paceMillis, AtomicLong end) {
    long paceNanos = TimeUnit.MILLISECONDS.toNanos(paceMillis);
    AtomicInteger sent = new AtomicInteger();
    Thread feeder =
        new Thread(
            () -> {
              try (KafkaProducer<String, String> producer =
                  new KafkaProducer<>(
                      Map.of(
                          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                          bootstrap,
                          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                          true,
                          ProducerConfig.ACKS_CONFIG,
                          "all"),
                      new StringSerializer(),
                      new StringSerializer())) {
                for (int i = 0; i < settings.records(); i++) {
                  producer.send(new ProducerRecord<>(INPUT, "k" + (i % 16), "r-" + i));
                  sent.incrementAndGet();
                  LockSupport.parkNanos(paceNanos); // the input's pace, not a wait for a state
                }
                producer.flush();
                end.set(System.currentTimeMillis());
              }
            },
            "faults-feeder");
    feeder.setDaemon(true);
    return feeder;
  }

  private static void join(Thread thread) throws InterruptedException {
    thread.join(TimeUnit.MINUTES.toMillis(5));
  }

  private static KafkaConsumer<String, String> reader(String bootstrap) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG, "faults-checker",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(),
        new StringDeserializer());
  }
}
