package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import dev.pipekeeper.embedded.junit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipekeeper bridge zk-to-kafka}: the source connector in the command's embedded standalone
 * worker streams a subtree into a topic; stopped and started again on the same offsets file, it
 * emits what changed meanwhile and nothing twice; bad settings are refused with the connector's own
 * message (exit 2).
 */
@ExtendWith(EmbeddedClusterExtension.class)
class BridgeCommandIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void streamsASubtreeAndResumesFromItsOffsetsFile(TestCluster cluster) throws Exception {
    String root = cluster.chroot() + "/bridged";
    String topic = cluster.topic("bridged");
    Path offsets = dir.resolve("bridge.offsets");
    try (CuratorFramework zk =
        CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      zk.start();
      zk.create().creatingParentsIfNeeded().forPath(root + "/a", bytes("a0"));
      zk.create().forPath(root + "/b", bytes("b0"));

      Bridge first = Bridge.start(cluster, root, topic, offsets);
      List<Change> snapshot = awaitRecords(cluster, topic, 3);
      assertThat(snapshot)
          .extracting(Change::key, Change::change)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(root, "SNAPSHOT"),
              org.assertj.core.groups.Tuple.tuple(root + "/a", "SNAPSHOT"),
              org.assertj.core.groups.Tuple.tuple(root + "/b", "SNAPSHOT"));
      zk.setData().forPath(root + "/a", bytes("a1"));
      awaitRecords(cluster, topic, 4);
      first.stop();
      assertThat(first.run.out()).contains("bridge zk-to-kafka: stopping");

      zk.setData().forPath(root + "/a", bytes("a2"));
      zk.delete().forPath(root + "/b");
      Bridge second = Bridge.start(cluster, root, topic, offsets);
      List<Change> all = awaitRecords(cluster, topic, 7);
      second.stop();
      assertThat(all.subList(4, 7))
          .extracting(Change::key, Change::change, Change::data)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(root + "/a", "CHANGED", "a2"),
              org.assertj.core.groups.Tuple.tuple(root + "/b", "DELETED", null),
              org.assertj.core.groups.Tuple.tuple(root + "/b", null, null));
      // nothing twice: no record more than those seven once the worker has stopped
      assertThat(readTopic(cluster, topic)).hasSize(7);
    }
  }

  @Test
  void appliesATopicOfCommandsToASubtreeAndSendsRefusedOnesToTheDeadLetterTopic(TestCluster cluster)
      throws Exception {
    String subtree = cluster.chroot() + "/applied";
    String commands = cluster.topic("commands");
    String dlq = cluster.topic("refused");
    try (CuratorFramework zk =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100));
        org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
            new org.apache.kafka.clients.producer.KafkaProducer<>(
                Map.of(
                    "bootstrap.servers", cluster.bootstrapServers(),
                    "key.serializer",
                        org.apache.kafka.common.serialization.StringSerializer.class.getName(),
                    "value.serializer",
                        org.apache.kafka.common.serialization.StringSerializer.class.getName()))) {
      zk.start();
      zk.create().creatingParentsIfNeeded().forPath(subtree);
      for (String command :
          List.of(
              "{\"op\":\"create\",\"path\":\"" + subtree + "/a\",\"data\":\"1\"}",
              "{\"op\":\"set\",\"path\":\""
                  + subtree
                  + "/a\",\"data\":\"2\",\"expectedVersion\":0}",
              "{\"op\":\"create\",\"path\":\"/elsewhere\",\"data\":\"x\"}",
              "not json")) {
        producer
            .send(new org.apache.kafka.clients.producer.ProducerRecord<>(commands, "k", command))
            .get();
      }
      CliRun run = new CliRun(Map.of());
      CompletableFuture<Void> done =
          CompletableFuture.runAsync(
              () ->
                  run.execute(
                      "bridge",
                      "kafka-to-zk",
                      "--topic",
                      commands,
                      "--subtree",
                      subtree,
                      "--dead-letter-topic",
                      dlq,
                      "--offsets",
                      dir.resolve("sink.offsets").toString(),
                      "--zk",
                      cluster.zkConnect(),
                      "--bootstrap-servers",
                      cluster.bootstrapServers()));
      await("the sink bridge running")
          .atMost(BOUND)
          .failFast("the bridge exited: " + run.err(), done::isDone)
          .until(() -> run.out().contains("bridge kafka-to-zk: topic " + commands));
      await()
          .atMost(BOUND)
          .until(
              () ->
                  zk.checkExists().forPath(subtree + "/a") != null
                      && new String(zk.getData().forPath(subtree + "/a"), StandardCharsets.UTF_8)
                          .equals("2"));
      await().atMost(BOUND).until(() -> dlqRecords(cluster, dlq).size() == 2);
      assertThat(zk.checkExists().forPath("/elsewhere")).isNull();
      assertThat(dlqRecords(cluster, dlq))
          .allSatisfy(
              r -> assertThat(r.headers().lastHeader("pipekeeper.sink.reason")).isNotNull());
      run.shutdown.triggerAndWait();
      done.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(run.exitCode).as(run.err()).isZero();
    }
  }

  private static List<ConsumerRecord<String, String>> dlqRecords(
      TestCluster cluster, String topic) {
    try {
      return TopicReader.readCommitted(cluster.bootstrapServers(), topic);
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  @Test
  void aRelativeSubtreeIsRefusedWithTheConnectorsMessage(TestCluster cluster) {
    CliRun run =
        CliRun.run(
            "bridge",
            "zk-to-kafka",
            "--subtree",
            "relative/path",
            "--topic",
            cluster.topic("never"),
            "--offsets",
            dir.resolve("o").toString(),
            "--zk",
            cluster.zkConnect(),
            "--bootstrap-servers",
            cluster.bootstrapServers());
    assertThat(run.exitCode).as(run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("bridge zk-to-kafka refused").contains("absolute");
    assertThat(run.err()).doesNotContain("\tat ");
  }

  @Test
  void withoutADirectionItSaysWhichThereAre() {
    CliRun run = CliRun.run("bridge");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("zk-to-kafka or kafka-to-zk");
    assertThat(CliRun.run("bridge", "zk-to-kafka", "--help").exitCode).isZero();
  }

  /** One run of the command in the background. */
  private record Bridge(CliRun run, CompletableFuture<Void> done) {
    static Bridge start(TestCluster cluster, String root, String topic, Path offsets) {
      CliRun run = new CliRun(Map.of());
      CompletableFuture<Void> done =
          CompletableFuture.runAsync(
              () ->
                  run.execute(
                      "bridge",
                      "zk-to-kafka",
                      "--subtree",
                      root,
                      "--topic",
                      topic,
                      "--offsets",
                      offsets.toString(),
                      "--zk",
                      cluster.zkConnect(),
                      "--bootstrap-servers",
                      cluster.bootstrapServers()));
      await("the bridge running")
          .atMost(BOUND)
          .failFast("the bridge exited: " + run.err(), done::isDone)
          .until(() -> run.out().contains("bridge zk-to-kafka: ZooKeeper"));
      return new Bridge(run, done);
    }

    void stop() throws Exception {
      run.shutdown.triggerAndWait();
      done.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(run.exitCode).as(run.err()).isZero();
    }
  }

  private record Change(String key, String change, String data) {}

  private static List<Change> awaitRecords(TestCluster cluster, String topic, int count) {
    List<List<Change>> seen = new ArrayList<>();
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              seen.add(0, readTopic(cluster, topic));
              return seen.get(0).size() >= count;
            });
    return seen.get(0);
  }

  /** The topic's records as changes (none while it does not exist yet). */
  private static List<Change> readTopic(TestCluster cluster, String topic) throws Exception {
    List<ConsumerRecord<String, String>> records;
    try {
      records = TopicReader.readCommitted(cluster.bootstrapServers(), topic);
    } catch (RuntimeException e) {
      return List.of(); // not created yet
    }
    List<Change> changes = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records) {
      if (record.value() == null) {
        changes.add(new Change(record.key(), null, null));
      } else {
        JsonNode value = JSON.readTree(record.value());
        JsonNode data = value.get("data");
        changes.add(
            new Change(
                record.key(),
                value.get("change").asText(),
                data == null || data.isNull() ? null : data.asText()));
      }
    }
    return changes;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
