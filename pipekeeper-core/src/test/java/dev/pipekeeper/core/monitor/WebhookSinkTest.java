package dev.pipekeeper.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(10));
  private static final Instant PENDING = SampleAlerts.PENDING;
  private static final Instant FIRED = SampleAlerts.FIRED;
  private static final Instant RESOLVED = SampleAlerts.RESOLVED;
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Received(String method, Headers headers, byte[] body) {}

  private static HttpServer server;
  private static ExecutorService handlers;
  private static final CountDownLatch NEVER = new CountDownLatch(1);
  private static final BlockingQueue<Received> RECEIVED = new LinkedBlockingQueue<>();
  private static volatile int answer = 200;

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    handlers = Executors.newCachedThreadPool();
    server.setExecutor(handlers);
    server.createContext(
        "/hook",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          RECEIVED.add(
              new Received(exchange.getRequestMethod(), exchange.getRequestHeaders(), body));
          byte[] reply =
              (answer == 200 ? "" : "no such receiver here").getBytes(StandardCharsets.UTF_8);
          respond(exchange, answer, reply);
        });
    server.createContext(
        "/silent",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          try {
            NEVER.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.start();
  }

  private static void respond(HttpExchange exchange, int status, byte[] reply) throws IOException {
    exchange.sendResponseHeaders(status, reply.length == 0 ? -1 : reply.length);
    if (reply.length > 0) {
      exchange.getResponseBody().write(reply);
    }
    exchange.close();
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    NEVER.countDown();
    server.stop(0);
    handlers.shutdown();
    assertThat(handlers.awaitTermination(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
  }

  @BeforeEach
  void reset() {
    RECEIVED.clear();
    answer = 200;
  }

  private static URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static Alert alert(AlertState state) {
    return SampleAlerts.memberDown(state);
  }

  private static Map<String, String> strings(JsonNode node) {
    return JSON.convertValue(node, new TypeReference<Map<String, String>>() {});
  }

  private static JsonNode deliverAndReceive(AlertSink sink, Alert alert) throws Exception {
    sink.deliver(alert);
    Received received = RECEIVED.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(received).as("request received").isNotNull();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.headers().getFirst("Content-Type")).isEqualTo("application/json");
    return JSON.readTree(received.body());
  }

  @Test
  void aFiringAlertArrivesInAlertmanagersPayload() throws Exception {
    try (AlertSink sink = AlertSinks.webhook(url("/hook"))) {
      assertThat(sink.name()).isEqualTo("webhook");
      JsonNode payload = deliverAndReceive(sink, alert(AlertState.FIRING));

      assertThat(payload.get("version").asText()).isEqualTo("4");
      assertThat(payload.get("status").asText()).isEqualTo("firing");
      assertThat(payload.get("receiver").asText()).isEqualTo("pipekeeper");
      assertThat(payload.get("truncatedAlerts").asInt(-1)).isZero();
      assertThat(payload.get("externalURL").isTextual()).isTrue();
      Map<String, String> labels =
          Map.of(
              "alertname", "member-down",
              "severity", "critical",
              "kind", "member-down",
              "group", "enrichment",
              "member", "m3");
      assertThat(strings(payload.get("groupLabels"))).isEqualTo(labels);
      assertThat(strings(payload.get("commonLabels"))).isEqualTo(labels);
      assertThat(strings(payload.get("commonAnnotations")))
          .isEqualTo(Map.of("summary", "member m3 of enrichment left without draining"));
      assertThat(payload.get("groupKey").asText())
          .isEqualTo(
              "{}:{alertname=\"member-down\", group=\"enrichment\", kind=\"member-down\","
                  + " member=\"m3\", severity=\"critical\"}");

      assertThat(payload.get("alerts")).hasSize(1);
      JsonNode one = payload.get("alerts").get(0);
      assertThat(one.get("status").asText()).isEqualTo("firing");
      assertThat(strings(one.get("labels"))).isEqualTo(labels);
      assertThat(strings(one.get("annotations")))
          .isEqualTo(Map.of("summary", "member m3 of enrichment left without draining"));
      assertThat(one.get("startsAt").asText()).isEqualTo("2030-01-01T10:00:03Z");
      assertThat(one.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
      assertThat(one.get("generatorURL").isTextual()).isTrue();
      assertThat(one.get("fingerprint").asText()).matches("[0-9a-f]{16}");
    }
  }

  @Test
  void anAlertEndedByItsRuleGoingAwaySaysSoInAnAnnotation() throws Exception {
    try (AlertSink sink = AlertSinks.webhook(url("/hook"))) {
      JsonNode ended =
          deliverAndReceive(sink, SampleAlerts.memberDownEnded(Resolution.RULE_REMOVED));
      assertThat(ended.get("status").asText()).isEqualTo("resolved");
      assertThat(ended.get("alerts").get(0).get("annotations").get("resolution").asText())
          .isEqualTo("rule removed");
      assertThat(ended.get("commonAnnotations").get("resolution").asText())
          .isEqualTo("rule removed");
      JsonNode recovered =
          deliverAndReceive(sink, SampleAlerts.memberDownEnded(Resolution.RECOVERED));
      assertThat(recovered.get("alerts").get(0).get("annotations").get("resolution").asText())
          .isEqualTo("recovered");
      JsonNode firing = deliverAndReceive(sink, alert(AlertState.FIRING));
      assertThat(firing.get("commonAnnotations").has("resolution")).isFalse();
    }
  }

  @Test
  void aResolvedAlertEndsAndKeepsItsFingerprint() throws Exception {
    try (AlertSink sink =
        AlertSinks.webhook(
            url("/hook"), Duration.ofSeconds(5), Map.of("Authorization", "Bearer s3cret"))) {
      JsonNode firing = deliverAndReceive(sink, alert(AlertState.FIRING));
      sink.deliver(alert(AlertState.RESOLVED));
      Received received = RECEIVED.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(received).isNotNull();
      assertThat(received.headers().getFirst("Authorization")).isEqualTo("Bearer s3cret");
      JsonNode resolved = JSON.readTree(received.body());

      assertThat(resolved.get("status").asText()).isEqualTo("resolved");
      JsonNode one = resolved.get("alerts").get(0);
      assertThat(one.get("status").asText()).isEqualTo("resolved");
      assertThat(one.get("startsAt").asText()).isEqualTo("2030-01-01T10:00:03Z");
      assertThat(one.get("endsAt").asText()).isEqualTo("2030-01-01T10:05:00Z");
      assertThat(one.get("fingerprint").asText())
          .isEqualTo(firing.get("alerts").get(0).get("fingerprint").asText());
      assertThat(resolved.get("groupKey").asText()).isEqualTo(firing.get("groupKey").asText());

      Alert other =
          new Alert(
              "member-down/enrichment/m4",
              "member-down",
              RuleKind.MEMBER_DOWN,
              Severity.CRITICAL,
              AlertState.FIRING,
              Map.of("group", "enrichment", "member", "m4"),
              "m4 left",
              PENDING,
              null,
              null,
              null,
              1,
              false,
              Map.of(),
              7,
              PENDING);
      JsonNode otherPayload = deliverAndReceive(sink, other);
      JsonNode otherOne = otherPayload.get("alerts").get(0);
      assertThat(otherOne.get("fingerprint").asText())
          .isNotEqualTo(one.get("fingerprint").asText());
      assertThat(otherOne.get("startsAt").asText())
          .as("pending since")
          .isEqualTo("2030-01-01T10:00:00Z");
    }
  }

  @Test
  void anErrorStatusFailsTheDeliveryNamingTheUrl() {
    try (AlertSink sink = AlertSinks.webhook(url("/hook"))) {
      answer = 500;
      assertThatThrownBy(() -> sink.deliver(alert(AlertState.FIRING)))
          .isInstanceOf(DeliveryException.class)
          .hasMessageContaining(url("/hook").toString())
          .hasMessageContaining("HTTP 500")
          .hasMessageContaining("no such receiver here");
      answer = 404;
      assertThatThrownBy(() -> sink.deliver(alert(AlertState.FIRING)))
          .isInstanceOf(DeliveryException.class)
          .hasMessageContaining(url("/hook").toString())
          .hasMessageContaining("HTTP 404");
    }
  }

  @Test
  void aReceiverThatNeverAnswersTimesOut() {
    Duration timeout = Duration.ofMillis(300);
    try (AlertSink sink = AlertSinks.webhook(url("/silent"), timeout, Map.of())) {
      assertTimeoutPreemptively(
          BOUND,
          () ->
              assertThatThrownBy(() -> sink.deliver(alert(AlertState.FIRING)))
                  .isInstanceOf(DeliveryException.class)
                  .hasMessageContaining(url("/silent").toString())
                  .hasMessageContaining("no answer within " + timeout));
    }
  }

  @Test
  void aRefusedConnectionFailsTheDeliveryNamingTheUrl() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + closedPort + "/hook");
    try (AlertSink sink = AlertSinks.webhook(url, Duration.ofSeconds(2), Map.of())) {
      assertThatThrownBy(() -> sink.deliver(alert(AlertState.FIRING)))
          .isInstanceOf(DeliveryException.class)
          .hasMessageContaining(url.toString())
          .hasMessageContaining("ConnectException");
    }
  }

  @Test
  void secretsInTheUrlStayOutOfTheMessage() {
    answer = 500;
    URI url =
        URI.create("http://user:pw@127.0.0.1:" + server.getAddress().getPort() + "/hook?token=abc");
    try (AlertSink sink = AlertSinks.webhook(url)) {
      assertThatThrownBy(() -> sink.deliver(alert(AlertState.FIRING)))
          .isInstanceOf(DeliveryException.class)
          .hasMessageContaining(url("/hook").toString())
          .hasMessageNotContaining("pw")
          .hasMessageNotContaining("abc");
    }
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> AlertSinks.webhook(null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("missing");
    assertThatThrownBy(() -> AlertSinks.webhook(URI.create("ftp://example.com/x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("ftp://example.com/x")
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> AlertSinks.webhook(URI.create("hooks/alerts")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not an absolute");
    assertThatThrownBy(() -> AlertSinks.webhook(URI.create("http:///alerts")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no host");
    URI ok = URI.create("https://example.com/alerts");
    assertThatThrownBy(() -> AlertSinks.webhook(ok, Duration.ZERO, Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> AlertSinks.webhook(ok, Duration.ofSeconds(-1), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> AlertSinks.webhook(ok, Duration.ofSeconds(1), Map.of("Host", "x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'Host'");
    assertThatThrownBy(() -> AlertSinks.webhook(ok, Duration.ofSeconds(1), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("headers");
  }
}
