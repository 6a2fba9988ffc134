package dev.pipekeeper.app.demo;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.ServerLogs;
import dev.pipekeeper.examples.EnrichmentExample;
import dev.pipekeeper.examples.Example;
import dev.pipekeeper.examples.Examples;
import dev.pipekeeper.examples.IngesterExample;
import dev.pipekeeper.examples.SchedulerExample;
import dev.pipekeeper.examples.TickClock;
import dev.pipekeeper.kafka.KafkaClientSettings;
import dev.pipekeeper.kafka.monitor.KafkaProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the demo runs, and its stopping: ZooKeeper and Kafka, the demo's connection with the
 * examples set up and the demo's rules, the monitor, the feeds and tails, and the fleet of
 * instances. The story ({@link Demo}) only reads and changes it. Everything started is closed by
 * {@link #close()}, also after a start that failed half way.
 */
final class Stage implements AutoCloseable {
  /** Narrates one line of the story. */
  @FunctionalInterface
  interface Narrator {
    void say(String format, Object... args);
  }

  private static final String RULES =
      "[{\"name\": \"member-down\", \"kind\": \"member-down\", \"for\": \"1s\","
          + " \"severity\": \"critical\"},"
          + " {\"name\": \"no-leader\", \"kind\": \"no-leader\", \"for\": \"15s\","
          + " \"severity\": \"critical\"},"
          + " {\"name\": \"stalled\", \"kind\": \"consumer-stalled\", \"window\": \"10s\","
          + " \"for\": \"5s\"},"
          + " {\"name\": \"config-drift\", \"kind\": \"config-drift\", \"for\": \"10s\"},"
          + " {\"name\": \"zookeeper\", \"kind\": \"zookeeper\", \"for\": \"5s\","
          + " \"severity\": \"critical\"},"
          + " {\"name\": \"kafka\", \"kind\": \"kafka\", \"for\": \"5s\", \"severity\": \"critical\"},"
          // stored rules add to the defaults: the story tells of these alone
          + " {\"name\": \"consumer-stalled\", \"enabled\": false},"
          + " {\"name\": \"consumer-rewinding\", \"enabled\": false},"
          + " {\"name\": \"delivery\", \"enabled\": false}]";

  private final PrintWriter out;
  private final Narrator narrator;
  private final List<AutoCloseable> open = new ArrayList<>();

  private Pipekeeper pk;
  private String zookeeper;
  private String bootstrap;
  private Fleet fleet;
  private TopicTail runs;
  private TopicTail events;
  private TopicTail enriched;
  private Monitor monitor;
  private long fleetStartedAt;

  Stage(PrintWriter out, Narrator narrator) {
    this.out = out;
    this.narrator = narrator;
  }

  /**
   * Starts the servers, sets up the examples and the rules, starts the monitor (delivering to
   * {@code sink}), the feeds, and {@code instances} instances of each example.
   *
   * @return the ids of the instances started (not yet running)
   */
  List<String> start(AlertSink sink, int instances) {
    long t0 = System.nanoTime();
    narrator.say("starting ZooKeeper and Kafka on this machine...");
    Path data = opened(new DataFolder()).path;
    // The servers log conditions they handle themselves at ERROR (a retriable out-of-order
    // sequence of Kafka 4's transactions): the story is told here, their log goes to a file.
    Path serverLog = data.resolve("servers.log");
    opened(ServerLogs.toFile(serverLog));
    EmbeddedZooKeeper zk =
        opened(
            EmbeddedZooKeeper.builder()
                .clientPort(0)
                .dataDir(data.resolve("zookeeper"))
                .build()
                .start());
    EmbeddedKafka kafka =
        opened(
            EmbeddedKafka.builder().brokerPort(0).dataDir(data.resolve("kafka")).build().start());
    zookeeper = zk.connectString();
    bootstrap = kafka.bootstrapServers();
    narrator.say(
        "ZooKeeper %s and Kafka %s (KRaft) are up (%s); their log: %s",
        zookeeper, bootstrap, Figures.seconds(System.nanoTime() - t0), serverLog);
    pk =
        opened(
            Pipekeeper.builder()
                .zookeeper(zookeeper)
                .cluster(Demo.CLUSTER)
                .identity("demo")
                .sessionTimeout(Demo.SESSION)
                .build());
    for (Example e : Examples.all()) {
      Examples.setUp(e, pk, KafkaClientSettings.of(bootstrap));
    }
    // a job due every tick, so a new leader's first output shows within a second of its start
    pk.config()
        .set(
            Scope.pipeline(SchedulerExample.NAME),
            SchedulerExample.JOBS,
            Demo.JSON.valueToTree(Map.of("heartbeat", 1, "report", 10)),
            ChangeOptions.by("demo"));
    pk.config()
        .set(
            Scope.global(),
            Rules.KEY,
            Demo.json(RULES),
            ChangeOptions.by("demo").comment("demo rules"));
    monitor =
        opened(
            pk.monitor()
                .evaluationInterval(Duration.ofMillis(500))
                .logSink(false)
                .sink(sink)
                .probe(KafkaProbe.builder(bootstrap).build())
                .start());
    runs = opened(new TopicTail(bootstrap, SchedulerExample.RUNS));
    events = opened(new TopicTail(bootstrap, IngesterExample.EVENTS));
    enriched = opened(new TopicTail(bootstrap, EnrichmentExample.ENRICHED));
    opened(TickClock.start(KafkaClientSettings.of(bootstrap)));
    opened(new OrderFeed(bootstrap, 20));
    fleet = opened(new Fleet(zookeeper, bootstrap, Demo.CLUSTER, Demo.SESSION));
    fleetStartedAt = System.nanoTime();
    List<String> ids = new ArrayList<>();
    for (Example e : Examples.all()) {
      for (int i = 1; i <= instances; i++) {
        String id = e.name() + "-" + i;
        fleet.start(e.name(), id);
        ids.add(id);
      }
    }
    return ids;
  }

  Pipekeeper pk() {
    return pk;
  }

  String zookeeper() {
    return zookeeper;
  }

  String bootstrap() {
    return bootstrap;
  }

  Fleet fleet() {
    return fleet;
  }

  /** The scheduler's output, as read_committed consumers see it. */
  TopicTail runs() {
    return runs;
  }

  /** The ingester's output. */
  TopicTail events() {
    return events;
  }

  /** The enrichment's output. */
  TopicTail enriched() {
    return enriched;
  }

  Monitor monitor() {
    return monitor;
  }

  /** When the fleet's first instance was started ({@link System#nanoTime()}). */
  long fleetStartedAt() {
    return fleetStartedAt;
  }

  private <T extends AutoCloseable> T opened(T resource) {
    open.add(resource);
    return resource;
  }

  /** Stops everything, the instances first (gracefully), and deletes the data. */
  @Override
  public void close() {
    if (monitor != null) {
      monitor.close(); // first: the fleet's leaving is the demo's end, not an incident
    }
    List<AutoCloseable> all = new ArrayList<>(open);
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        out.println("demo: stopping " + c.getClass().getSimpleName() + " failed: " + e);
      }
    }
    open.clear();
  }

  /** The demo's temporary data folder: the servers' data and log; deleted when closed. */
  private static final class DataFolder implements AutoCloseable {
    final Path path;

    DataFolder() {
      try {
        path = Files.createTempDirectory("pipekeeper-demo-");
      } catch (IOException e) {
        throw new Demo.StepFailed("cannot create a temporary folder: " + e.getMessage());
      }
    }

    @Override
    public void close() throws IOException {
      try (Stream<Path> all = Files.walk(path)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
