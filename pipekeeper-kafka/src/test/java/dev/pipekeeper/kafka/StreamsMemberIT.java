package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.membership.MemberRecord;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.embedded.TcpProxy;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.kafka.streams.StreamsFactory;
import dev.pipekeeper.kafka.streams.StreamsMember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Kafka Streams applications as Pipekeeper members, on a real ZooKeeper and KRaft broker. */
@ExtendWith(EmbeddedClusterExtension.class)
class StreamsMemberIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final String GROUP = "orders";
  private static final String SUFFIX = "orders.suffix";

  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  @TempDir Path stateDirs;

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  @Test
  void joinsProcessesAndFollowsLiveConfigWithoutRestart(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 2, in);
    KafkaTopics.create(cluster, 1, out);
    Pipekeeper observer = connect(cluster, "observer", Duration.ofSeconds(10));
    Set<String> threadsBefore = threadNames();
    AtomicInteger built = new AtomicInteger();
    StreamsMember member =
        StreamsMember.builder(connect(cluster, "a", Duration.ofSeconds(10)), GROUP)
            .streams(counted(built, config -> streams(cluster, "a", upperCase(config, in, out))))
            .metadata(Map.of("zone", "a"))
            .start();
    open.push(member);

    KafkaTopics.produce(cluster, in, 0, 10);
    awaitValues(cluster, out, values(0, 10, ""));
    await().atMost(BOUND).until(() -> member.state() == StreamsMember.State.RUNNING);
    await().atMost(BOUND).until(() -> states(observer).equals(Map.of("a", MemberState.RUNNING)));
    assertThat(observer.membership().members(GROUP).get(0).tags()).containsEntry("zone", "a");
    KafkaStreams first = member.streams().orElseThrow();

    observer
        .config()
        .set(
            Scope.pipeline(GROUP),
            SUFFIX,
            JsonNodeFactory.instance.textNode("!"),
            ChangeOptions.by("test"));
    await().atMost(BOUND).until(() -> member.config().get(SUFFIX, String.class, "").equals("!"));
    KafkaTopics.produce(cluster, in, 10, 20);
    awaitValues(cluster, out, values(10, 20, "!"));
    assertThat(member.streams()).as("the same instance, not restarted").containsSame(first);
    assertThat(built).hasValue(1);

    member.close();
    member.close();
    assertThat(member.state()).isEqualTo(StreamsMember.State.CLOSED);
    assertThat(first.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    assertThat(observer.membership().members(GROUP)).as("member nodes after close").isEmpty();
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(threadNames())
                    .as("threads left by the closed member")
                    .filteredOn(
                        name ->
                            name.startsWith("pipekeeper-streams")
                                || name.contains(appId(cluster.cluster() + "-a")))
                    .isSubsetOf(threadsBefore));
  }

  @Test
  void onlyTheLeaderRunsAndTheStandbyTakesOverWhenTheLeadersConnectionCloses(TestCluster cluster)
      throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 2, in);
    KafkaTopics.create(cluster, 1, out);
    Pipekeeper observer = connect(cluster, "observer", Duration.ofSeconds(10));
    Pipekeeper pkA = connect(cluster, "a", Duration.ofSeconds(10));
    AtomicInteger builtA = new AtomicInteger();
    AtomicInteger builtB = new AtomicInteger();
    StreamsMember a =
        leaderOnly(
            pkA, counted(builtA, config -> streams(cluster, "app", upperCase(config, in, out))));
    await().atMost(BOUND).until(() -> a.state() == StreamsMember.State.RUNNING);
    StreamsMember b =
        leaderOnly(
            connect(cluster, "b", Duration.ofSeconds(10)),
            counted(builtB, config -> streams(cluster, "app", upperCase(config, in, out))));
    assertThat(b.state()).isEqualTo(StreamsMember.State.STANDBY);
    assertThat(a.role()).contains(GROUP + ".leader");

    KafkaTopics.produce(cluster, in, 0, 10);
    awaitValues(cluster, out, values(0, 10, ""));
    assertThat(b.streams()).as("the standby runs nothing").isEmpty();
    assertThat(builtB).hasValue(0);
    awaitStates(observer, Map.of("a", MemberState.RUNNING, "b", MemberState.STARTING));

    KafkaStreams leaders = a.streams().orElseThrow();
    pkA.close(); // closes the leadership: the lease is revoked and a's instance closed first
    assertThat(leaders.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    assertThat(a.streams()).isEmpty();
    await().atMost(BOUND).until(() -> b.state() == StreamsMember.State.RUNNING);
    KafkaTopics.produce(cluster, in, 10, 20);
    awaitValues(cluster, out, values(10, 20, ""));
    assertThat(builtA).hasValue(1);
    assertThat(builtB).hasValue(1);
    awaitStates(observer, Map.of("b", MemberState.RUNNING));

    a.close(); // after its connection: nothing left to do, nothing thrown
    b.close();
    assertThat(observer.membership().members(GROUP)).isEmpty();
    assertThat(observer.inspector().roles())
        .filteredOn(role -> role.role().equals(GROUP + ".leader"))
        .allSatisfy(role -> assertThat(role.contenders()).isEmpty());
  }

  @Test
  void aLeaderCutOffFromZooKeeperStopsBeforeTheStandbyStarts(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 2, in);
    KafkaTopics.create(cluster, 1, out);
    Pipekeeper observer = connect(cluster, "observer", Duration.ofSeconds(10));
    TcpProxy proxy = TcpProxy.start("127.0.0.1", cluster.zookeeper().servers().get(0).clientPort());
    open.push(proxy);
    Pipekeeper pkA =
        Pipekeeper.builder()
            .zookeeper(proxy.address())
            .cluster(cluster.cluster())
            .identity("a")
            .sessionTimeout(Duration.ofSeconds(4))
            .build();
    open.push(pkA);
    AtomicLong aStoppedAt = new AtomicLong();
    AtomicLong bStartedAt = new AtomicLong();
    StreamsMember a =
        StreamsMember.builder(pkA, GROUP)
            .streams(config -> streams(cluster, "app", upperCase(config, in, out)))
            .leaderOnly(true)
            .stateListener(
                (newState, oldState) -> {
                  if (newState == KafkaStreams.State.NOT_RUNNING) {
                    aStoppedAt.compareAndSet(0, System.nanoTime());
                  }
                })
            .start();
    open.push(a);
    await().atMost(BOUND).until(() -> a.state() == StreamsMember.State.RUNNING);
    StreamsMember b =
        leaderOnly(
            connect(cluster, "b", Duration.ofSeconds(10)),
            config -> {
              bStartedAt.compareAndSet(0, System.nanoTime());
              return streams(cluster, "app", upperCase(config, in, out));
            });
    KafkaTopics.produce(cluster, in, 0, 10);
    awaitValues(cluster, out, values(0, 10, ""));

    proxy.blackhole(); // a hears nothing more: suspended after 2.7 s, expired after 4 s
    await().atMost(BOUND).until(() -> b.state() == StreamsMember.State.RUNNING);
    assertThat(a.state()).isEqualTo(StreamsMember.State.STANDBY);
    assertThat(a.streams()).isEmpty();
    assertThat(aStoppedAt.get()).as("a's instance stopped").isPositive();
    assertThat(aStoppedAt.get()).as("a stopped before b started").isLessThan(bStartedAt.get());
    KafkaTopics.produce(cluster, in, 10, 20);
    awaitValues(cluster, out, values(10, 20, ""));

    proxy.restore(); // a gets a new session, comes back to the group and stands by
    awaitStates(observer, Map.of("a", MemberState.STARTING, "b", MemberState.RUNNING));
    assertThat(a.state()).isEqualTo(StreamsMember.State.STANDBY);
  }

  @Test
  void aFailedLeaderIsReportedNotRestartedAndHandsTheRoleOver(TestCluster cluster)
      throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 1, in, out);
    Pipekeeper observer = connect(cluster, "observer", Duration.ofSeconds(10));
    AtomicInteger builtA = new AtomicInteger();
    StreamsMember a =
        leaderOnly(
            connect(cluster, "a", Duration.ofSeconds(10)),
            counted(builtA, config -> streams(cluster, "app", failsOnPoison(in, out))));
    await().atMost(BOUND).until(() -> a.state() == StreamsMember.State.RUNNING);
    StreamsMember b =
        leaderOnly(
            connect(cluster, "b", Duration.ofSeconds(10)),
            config -> streams(cluster, "app", upperCase(config, in, out)));

    KafkaTopics.produce(cluster, in, "k", "poison");
    await().atMost(BOUND).until(() -> a.state() == StreamsMember.State.FAILED);
    assertThat(a.failure()).isPresent();
    assertThat(causes(a.failure().get())).anyMatch(m -> m.contains("poison pill"));
    await().atMost(BOUND).until(() -> b.state() == StreamsMember.State.RUNNING);
    awaitValues(cluster, out, Set.of("POISON"));
    assertThat(builtA).as("the failed member built nothing more").hasValue(1);
    assertThat(a.streams()).isEmpty();
    awaitStates(observer, Map.of("a", MemberState.STOPPING, "b", MemberState.RUNNING));
  }

  @Test
  void aReplaceThreadPolicyKeepsTheMemberRunning(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String out = cluster.topic("out");
    KafkaTopics.create(cluster, 1, in, out);
    AtomicInteger built = new AtomicInteger();
    AtomicBoolean poisoned = new AtomicBoolean();
    StreamsMember member =
        StreamsMember.builder(connect(cluster, "a", Duration.ofSeconds(10)), GROUP)
            .streams(
                counted(
                    built,
                    config ->
                        streams(
                            cluster,
                            "a",
                            failsOnPoison(in, out, () -> poisoned.compareAndSet(false, true)))))
            .uncaughtExceptionHandler(error -> StreamThreadExceptionResponse.REPLACE_THREAD)
            .start();
    open.push(member);

    KafkaTopics.produce(cluster, in, "k", "poison");
    awaitValues(cluster, out, Set.of("POISON"));
    assertThat(member.failure()).as("the failure is kept").isPresent();
    await().atMost(BOUND).until(() -> member.state() == StreamsMember.State.RUNNING);
    assertThat(built)
        .as("Kafka Streams replaced the thread; the member rebuilt nothing")
        .hasValue(1);
  }

  @Test
  void aRestartKeyRebuildsTheStreamsFromTheFactory(TestCluster cluster) throws Exception {
    String in = cluster.topic("in");
    String first = cluster.topic("first");
    String second = cluster.topic("second");
    KafkaTopics.create(cluster, 1, in, first, second);
    Pipekeeper pk = connect(cluster, "a", Duration.ofSeconds(10));
    pk.config()
        .set(
            Scope.pipeline(GROUP),
            "orders.output",
            JsonNodeFactory.instance.textNode(first),
            ChangeOptions.by("test"));
    AtomicInteger built = new AtomicInteger();
    StreamsMember member =
        StreamsMember.builder(pk, GROUP)
            .streams(
                counted(
                    built,
                    config ->
                        streams(
                            cluster,
                            "a",
                            upperCase(
                                config, in, config.get("orders.output", String.class).get()))))
            .restartOn("orders.output")
            .start();
    open.push(member);
    KafkaTopics.produce(cluster, in, 0, 5);
    awaitValues(cluster, first, values(0, 5, ""));
    KafkaStreams before = member.streams().orElseThrow();

    pk.config()
        .set(
            Scope.pipeline(GROUP),
            "orders.output",
            JsonNodeFactory.instance.textNode(second),
            ChangeOptions.by("test"));
    await().atMost(BOUND).until(() -> built.get() == 2);
    await().atMost(BOUND).until(() -> member.state() == StreamsMember.State.RUNNING);
    assertThat(before.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    assertThat(member.streams().orElseThrow()).isNotSameAs(before);
    KafkaTopics.produce(cluster, in, 5, 10);
    awaitValues(cluster, second, values(5, 10, ""));
    assertThat(valuesOf(cluster, first)).doesNotContainAnyElementsOf(values(5, 10, ""));
  }

  @Test
  void badSettingsAndAFailingFactoryAreRefusedAndLeaveNothingBehind(TestCluster cluster) {
    Pipekeeper pk = connect(cluster, "a", Duration.ofSeconds(10));
    assertThatThrownBy(() -> StreamsMember.builder(pk, GROUP).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("set streams(...)");
    assertThatThrownBy(() -> StreamsMember.builder(pk, "orders/eu"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("orders/eu");
    assertThatThrownBy(() -> StreamsMember.builder(pk, GROUP).restartOn("Output Topic"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Output Topic");
    assertThatThrownBy(() -> StreamsMember.builder(pk, GROUP).closeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidInputException.class);

    StreamsMember failing =
        StreamsMember.builder(pk, GROUP)
            .streams(
                config -> {
                  throw new IllegalArgumentException("no topology");
                })
            .build();
    open.push(failing);
    assertThatThrownBy(failing::start).hasMessage("no topology");
    assertThat(failing.state()).isEqualTo(StreamsMember.State.FAILED);
    assertThat(failing.failure()).get().extracting(Throwable::getMessage).isEqualTo("no topology");
    assertThat(pk.membership().members(GROUP)).as("no member node left").isEmpty();
    assertThatThrownBy(failing::start).isInstanceOf(IllegalStateException.class);
  }

  // ---- helpers ----

  private StreamsMember leaderOnly(Pipekeeper pk, StreamsFactory factory) {
    StreamsMember member =
        StreamsMember.builder(pk, GROUP)
            .streams(factory)
            .leaderOnly(true)
            .closeTimeout(Duration.ofSeconds(10))
            .start();
    open.push(member);
    return member;
  }

  /** in → upper case + the live value of {@value #SUFFIX}, read per record → out. */
  private static Topology upperCase(ConfigView config, String in, String out) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.<String, String>stream(in)
        .mapValues(v -> v.toUpperCase(Locale.ROOT) + config.get(SUFFIX, String.class, ""))
        .to(out);
    return builder.build();
  }

  /** in → upper case → out, and a stream thread dies on the value "poison". */
  private static Topology failsOnPoison(String in, String out) {
    return failsOnPoison(in, out, () -> true);
  }

  /** in → upper case → out; a stream thread dies on the value "poison" while {@code fails}. */
  private static Topology failsOnPoison(String in, String out, BooleanSupplier fails) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.<String, String>stream(in)
        .mapValues(
            v -> {
              if (v.equals("poison") && fails.getAsBoolean()) {
                throw new IllegalStateException("poison pill");
              }
              return v.toUpperCase(Locale.ROOT);
            })
        .to(out);
    return builder.build();
  }

  private KafkaStreams streams(TestCluster cluster, String app, Topology topology) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId(cluster.cluster() + "-" + app));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDirs.toString());
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    // A failed instance does not leave its Kafka group: its partitions move after this timeout
    // (the broker's minimum).
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
    return new KafkaStreams(topology, props);
  }

  private static String appId(String suffix) {
    return "streams-it-" + suffix;
  }

  private static StreamsFactory counted(AtomicInteger count, Function<ConfigView, KafkaStreams> f) {
    return config -> {
      count.incrementAndGet();
      return f.apply(config);
    };
  }

  private Pipekeeper connect(TestCluster cluster, String id, Duration session) {
    Pipekeeper pk = KafkaTopics.connect(cluster, id, session);
    open.push(pk);
    return pk;
  }

  private static Set<String> values(int from, int to, String suffix) {
    return IntStream.range(from, to)
        .mapToObj(i -> "VALUE-" + i + suffix)
        .collect(Collectors.toSet());
  }

  private static Set<String> valuesOf(TestCluster cluster, String topic) {
    List<ConsumerRecord<String, String>> records = KafkaTopics.readCommitted(cluster, topic);
    return records.stream().map(ConsumerRecord::value).collect(Collectors.toSet());
  }

  private static void awaitValues(TestCluster cluster, String topic, Set<String> expected) {
    await()
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(valuesOf(cluster, topic)).containsAll(expected));
  }

  private static void awaitStates(Pipekeeper observer, Map<String, MemberState> expected) {
    await().atMost(BOUND).untilAsserted(() -> assertThat(states(observer)).isEqualTo(expected));
  }

  private static Map<String, MemberState> states(Pipekeeper observer) {
    return observer.membership().members(GROUP).stream()
        .collect(Collectors.toMap(MemberRecord::id, MemberRecord::state));
  }

  private static List<String> causes(Throwable error) {
    List<String> messages = new java.util.ArrayList<>();
    for (Throwable t = error; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    return messages;
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
