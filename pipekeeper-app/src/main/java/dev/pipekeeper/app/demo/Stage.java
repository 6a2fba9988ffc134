package dev.pipekeeper.app.demo;

import dev.pipekeeper.console.Console;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperBuilder;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.core.security.ZooKeeperClientFile;
import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

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
  private final boolean secure;
  private final int consolePort;
  private final List<AutoCloseable> open = new ArrayList<>();

  private Pipekeeper pk;
  private EmbeddedZooKeeper zk;
  private EmbeddedKafka kafka;
  private String zookeeper;
  private String bootstrap;
  private Fleet fleet;
  private TopicTail runs;
  private TopicTail events;
  private TopicTail enriched;
  private Monitor monitor;
  private Console console;
  private long fleetStartedAt;

  /**
   * @param secure the servers secured ({@link EmbeddedSecurity}): the instances and the monitor run
   *     as {@code writer}, holding its ZooKeeper rights under the ACL model and only the Kafka ACLs
   *     their pipelines need; the demo's own connection, feeds and tails as {@code admin}
   * @param consolePort the port of the console on the demo's connection; 0 picks a free one
   */
  Stage(PrintWriter out, Narrator narrator, boolean secure, int consolePort) {
    this.out = out;
    this.narrator = narrator;
    this.secure = secure;
    this.consolePort = consolePort;
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
    EmbeddedZooKeeper.Builder zkBuilder =
        EmbeddedZooKeeper.builder().clientPort(0).dataDir(data.resolve("zookeeper"));
    EmbeddedKafka.Builder kafkaBuilder =
        EmbeddedKafka.builder().brokerPort(0).dataDir(data.resolve("kafka"));
    if (secure) {
      EmbeddedSecurity security = EmbeddedSecurity.create(data.resolve("security"));
      // a secured ZooKeeper runs in a child JVM (its TLS and SASL settings are system
      // properties); with its full JIT, as its TLS handshakes with nine starting instances at
      // once otherwise outlast their 3 s sessions on two cores
      zkBuilder.secure(security).childJvmOptions(List.of("-Xmx256m", "-XX:+UseSerialGC"));
      kafkaBuilder.secure(security);
    }
    zk = opened(zkBuilder.build().start());
    kafka = opened(kafkaBuilder.build().start());
    zookeeper = zk.connectString();
    bootstrap = kafka.bootstrapServers();
    narrator.say(
        "ZooKeeper %s and Kafka %s (KRaft) are up (%s); their log: %s",
        zookeeper, bootstrap, Figures.seconds(System.nanoTime() - t0), serverLog);
    if (secure) {
      narrator.say(
          "secured: ZooKeeper TLS only with SASL required and ACLs from the model, Kafka SASL_SSL"
              + " (SCRAM-SHA-512) with ACLs on; the instances and the monitor run as writer,"
              + " the demo's checks as admin");
    }
    pk = opened(connection(EmbeddedSecurity.ADMIN, "demo"));
    // before the story: its every step reaches the page through the console's event stream
    console = opened(Console.builder(pk).port(consolePort).build().start());
    narrator.say("the console shows it all live at %s (read-only)", console.url());
    KafkaClientSettings demoKafka = kafkaAs(EmbeddedSecurity.ADMIN);
    for (Example e : Examples.all()) {
      Examples.setUp(e, pk, demoKafka);
    }
    if (secure) {
      grantWriter();
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
    // the monitor as a member would run it: its own connection (as writer when secured)
    Pipekeeper monitorConnection = opened(connection(EmbeddedSecurity.WRITER, "demo-monitor"));
    KafkaClientSettings monitorKafka = kafkaAs(EmbeddedSecurity.WRITER);
    monitor =
        opened(
            monitorConnection
                .monitor()
                .evaluationInterval(Duration.ofMillis(500))
                .logSink(false)
                .sink(sink)
                .probe(
                    KafkaProbe.builder(monitorKafka.bootstrapServers())
                        .kafkaProperties(monitorKafka.properties())
                        .build())
                .start());
    runs = opened(new TopicTail(demoKafka, SchedulerExample.RUNS));
    events = opened(new TopicTail(demoKafka, IngesterExample.EVENTS));
    enriched = opened(new TopicTail(demoKafka, EnrichmentExample.ENRICHED));
    opened(TickClock.start(demoKafka));
    opened(new OrderFeed(demoKafka, 20));
    fleet =
        opened(
            new Fleet(
                zookeeper,
                bootstrap,
                secure ? zk.clientConfigFile(EmbeddedSecurity.WRITER) : null,
                secure ? kafka.clientConfigFile(EmbeddedSecurity.WRITER) : null,
                Demo.CLUSTER,
                Demo.SESSION));
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

  EmbeddedZooKeeper zookeeperServer() {
    return zk;
  }

  EmbeddedKafka kafkaServer() {
    return kafka;
  }

  /** A connection to the demo's cluster, as {@code user} when the servers are secured. */
  private Pipekeeper connection(String user, String identity) {
    PipekeeperBuilder builder =
        Pipekeeper.builder()
            .zookeeper(zookeeper)
            .cluster(Demo.CLUSTER)
            .identity(identity)
            .sessionTimeout(Demo.SESSION);
    if (secure) {
      ZooKeeperClientFile.load(zk.clientConfigFile(user)).applyTo(builder);
    }
    return builder.build();
  }

  /** Grants {@code writer} the Kafka ACLs of the examples' pipelines, as admin. */
  private void grantWriter() {
    try (Admin admin = Admin.create(kafkaAs(EmbeddedSecurity.ADMIN).admin())) {
      admin.createAcls(writerAcls()).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new Demo.StepFailed("cannot grant writer its Kafka ACLs: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Demo.StepFailed("interrupted granting writer its Kafka ACLs");
    }
  }

  /**
   * What the examples' pipelines need in Kafka, and nothing more: each example's {@link
   * dev.pipekeeper.kafka.PipelineAcls} (what {@code pipekeeper kafka-acls} prints), and DESCRIBE on
   * the SHARDED example's name as a group, which the monitor's Kafka probe (as writer) asks every
   * pipeline's group for committed offsets with (the SHARDED one has no group: without it the probe
   * reports Kafka unreachable).
   */
  private static List<AclBinding> writerAcls() {
    String principal = "User:" + EmbeddedSecurity.WRITER;
    List<AclBinding> acls = new ArrayList<>();
    for (Example e : Examples.all()) {
      acls.addAll(e.acls().bindings(principal));
    }
    acls.add(
        binding(
            new ResourcePattern(ResourceType.GROUP, IngesterExample.NAME, PatternType.LITERAL),
            AclOperation.DESCRIBE));
    return acls;
  }

  private static AclBinding binding(ResourcePattern pattern, AclOperation operation) {
    return new AclBinding(
        pattern,
        new AccessControlEntry(
            "User:" + EmbeddedSecurity.WRITER, "*", operation, AclPermissionType.ALLOW));
  }

  /** The Kafka client settings of {@code user} when the servers are secured, else plaintext. */
  private KafkaClientSettings kafkaAs(String user) {
    return secure
        ? KafkaClientSettings.from(kafka.clientProperties(user))
        : KafkaClientSettings.of(bootstrap);
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

  /** One progress line: rates per pipeline and the alerts. */
  String progress() {
    Map<String, String> rates = new LinkedHashMap<>();
    for (Example e : Examples.all()) {
      List<HealthReport> reports = pk.health().reports(e.name());
      double in = reports.stream().mapToDouble(HealthReport::recordsInPerSecond).sum();
      rates.put(e.name(), String.format(Locale.ROOT, "%.1f/s (%d up)", in, reports.size()));
    }
    long firing = pk.alerts().active().stream().filter(a -> a.state() == AlertState.FIRING).count();
    return "records in: "
        + rates.entrySet().stream()
            .map(x -> x.getKey() + " " + x.getValue())
            .reduce((a, b) -> a + ", " + b)
            .orElse("")
        + "; "
        + firing
        + " alerts firing";
  }

  /** The console on the demo's connection, once started. */
  Console console() {
    return console;
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
