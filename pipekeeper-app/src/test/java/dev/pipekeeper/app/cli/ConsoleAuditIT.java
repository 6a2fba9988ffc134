package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.connect.audit.AuditDecoder;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code pipekeeper console --audit-topic}: pages of the audit topic at {@code .../audit}, and each
 * new event on the event stream, against a real Kafka broker; the events are made by the audit
 * decoder from changes of the cluster's tree, as the audit connector makes them.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleAuditIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));
  private static final Pattern URL = Pattern.compile("at (http://\\S+/) ");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void pagesComeFromTheTopicAndNewEventsReachTheStream(TestCluster cluster) throws Exception {
    String topic = cluster.topic("audit");
    Map<String, Object> kafka = Map.of("bootstrap.servers", cluster.bootstrapServers());
    try (Admin admin = Admin.create(kafka)) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    AuditDecoder decoder = new AuditDecoder(cluster.cluster());
    String root = "/pipekeeper/" + cluster.cluster();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(kafka, new StringSerializer(), new StringSerializer())) {
      long zxid = 10;
      for (String member : List.of("m1", "m2", "m3")) {
        zxid++;
        AuditDecoder.Event event =
            decoder
                .decode(
                    new AuditDecoder.Change(
                        root + "/members/orders/" + member,
                        "CREATED",
                        "{}",
                        zxid,
                        zxid,
                        Instant.now().toEpochMilli()))
                .orElseThrow();
        producer.send(
            new ProducerRecord<>(topic, event.subject(), JSON.writeValueAsString(event.fields())));
      }
      producer.flush();

      CliRun run = new CliRun(Map.of());
      CompletableFuture<Void> running =
          CompletableFuture.runAsync(
              () ->
                  run.execute(
                      "console",
                      "--port",
                      "0",
                      "--audit-topic",
                      topic,
                      "--zk",
                      cluster.zkConnect(),
                      "--cluster",
                      cluster.cluster(),
                      "--bootstrap-servers",
                      cluster.bootstrapServers()));
      await().atMost(BOUND).until(() -> URL.matcher(run.out()).find());
      Matcher url = URL.matcher(run.out());
      assertThat(url.find()).isTrue();
      assertThat(run.out()).contains("audit from kafka topic " + topic);
      URI base = URI.create(url.group(1));
      String audit = "api/v1/clusters/" + cluster.cluster() + "/audit";

      assertThat(get(base, "api/v1/health").path("audit").asText())
          .isEqualTo("kafka topic " + topic);
      JsonNode all = get(base, audit);
      assertThat(all.path("events").findValuesAsText("member")).containsExactly("m1", "m2", "m3");
      assertThat(all.path("events").get(0).path("type").asText()).isEqualTo("member.joined");
      assertThat(all.path("more").asBoolean()).isFalse();
      JsonNode first = get(base, audit + "?limit=2");
      assertThat(first.path("events").findValuesAsText("member")).containsExactly("m1", "m2");
      assertThat(first.path("more").asBoolean()).isTrue();
      assertThat(get(base, audit + "?since=1h").path("events").size()).isEqualTo(3);
      assertThat(get(base, audit + "?since=2999-01-01T00:00:00Z").path("events").size()).isZero();
      HttpResponse<String> bad = send(base, audit + "?since=yesterday");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(bad.body()).path("error").asText()).isEqualTo("bad-input");
      assertThat(send(base, audit + "?limit=0").statusCode()).isEqualTo(400);

      // a new event, written while the console follows the topic, comes on the event stream
      List<String> lines = new CopyOnWriteArrayList<>();
      CompletableFuture<HttpResponse<Stream<String>>> stream =
          HTTP.sendAsync(
              HttpRequest.newBuilder(base.resolve("api/v1/events"))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      Thread reader =
          new Thread(
              () -> {
                try {
                  stream.join().body().forEach(lines::add);
                } catch (RuntimeException closed) {
                  // the test closed the stream, or the console stopped
                }
              },
              "test-audit-stream");
      reader.setDaemon(true);
      reader.start();
      await().atMost(BOUND).until(() -> lines.contains("event: ready"));
      AuditDecoder.Event died =
          decoder
              .decode(
                  new AuditDecoder.Change(
                      root + "/members/orders/m2",
                      "DELETED",
                      null,
                      20,
                      20,
                      Instant.now().toEpochMilli()))
              .orElseThrow();
      // following starts at the topic's end when the console starts: wait until it is there
      await()
          .atMost(BOUND)
          .until(
              () -> {
                producer.send(
                    new ProducerRecord<>(
                        topic, died.subject(), JSON.writeValueAsString(died.fields())));
                producer.flush();
                return lines.stream()
                    .anyMatch(l -> l.startsWith("data:") && l.contains("member.died"));
              });
      // a copy: the reader goes on adding lines, and a view of the live list would fail
      List<String> seen = List.copyOf(lines);
      int at = seen.indexOf(seen.stream().filter(l -> l.contains("member.died")).findFirst().get());
      assertThat(seen.subList(0, at)).contains("event: audit");

      stream.join().body().close();
      run.shutdown.triggerAndWait();
      running.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(run.exitCode).isZero();
    }
  }

  private static HttpResponse<String> send(URI base, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(URI base, String path) throws Exception {
    HttpResponse<String> response = send(base, path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
