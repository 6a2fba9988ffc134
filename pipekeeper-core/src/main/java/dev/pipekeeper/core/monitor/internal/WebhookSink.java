package dev.pipekeeper.core.monitor.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.monitor.Alert;
import dev.pipekeeper.core.monitor.AlertSink;
import dev.pipekeeper.core.monitor.AlertState;
import dev.pipekeeper.core.monitor.DeliveryException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * POSTs each alert, as JSON in Alertmanager's webhook payload (version 4), to one URL with the
 * JDK's {@link HttpClient}. Built (and its arguments checked) by {@code AlertSinks.webhook}.
 *
 * <p>Each request carries exactly one alert, so the group is the alert: {@code groupLabels} and
 * {@code commonLabels} are its labels and {@code groupKey} is derived from them. Receivers that
 * open one incident per group key (as they do for Alertmanager) thus open one per alert.
 *
 * <p>A request that gets no complete answer within the timeout, an I/O error and any status other
 * than 2xx throw {@link DeliveryException} naming the URL (without its user info and query, which
 * may hold secrets) and the reason.
 *
 * <p>A resolved alert's annotation {@code resolution} says how it ended: {@code recovered}, or
 * {@code rule removed} when its rule went away (its condition may still hold).
 */
public final class WebhookSink implements AlertSink {
  /** Alertmanager's "no end yet" time (Go's zero {@code time.Time}). */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  static final String RECEIVER = "pipekeeper";
  private static final int BODY_IN_MESSAGE = 200;

  private final URI url;
  private final String shownUrl;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final HttpClient client;

  /**
   * @param url an absolute http or https URL
   * @param timeout bounds connecting and the whole exchange of each request
   * @param headers added to every request (e.g. {@code Authorization}); may replace {@code
   *     Content-Type}
   */
  public WebhookSink(URI url, Duration timeout, Map<String, String> headers) {
    this.url = url;
    this.shownUrl = shown(url);
    this.timeout = timeout;
    this.headers = Map.copyOf(headers);
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public void deliver(Alert alert) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(payload(alert))));
    headers.forEach(request::setHeader);
    CompletableFuture<HttpResponse<String>> exchange =
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      // The client's request timeout ends once the headers arrive; this bounds the body too.
      response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new DeliveryException("webhook " + shownUrl + ": no answer within " + timeout);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new DeliveryException("webhook " + shownUrl + ": interrupted");
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    }
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      String body = response.body() == null ? "" : response.body().strip();
      if (body.length() > BODY_IN_MESSAGE) {
        body = body.substring(0, BODY_IN_MESSAGE) + "...";
      }
      throw new DeliveryException(
          "webhook " + shownUrl + " answered HTTP " + status + (body.isEmpty() ? "" : ": " + body));
    }
  }

  private DeliveryException failure(Throwable cause) {
    if (cause instanceof HttpConnectTimeoutException) {
      return new DeliveryException(
          "webhook " + shownUrl + ": could not connect within " + timeout, cause);
    }
    if (cause instanceof HttpTimeoutException) {
      return new DeliveryException("webhook " + shownUrl + ": no answer within " + timeout, cause);
    }
    String reason =
        cause.getMessage() == null
            ? cause.getClass().getName()
            : cause.getClass().getName() + ": " + cause.getMessage();
    return new DeliveryException("webhook " + shownUrl + ": " + reason, cause);
  }

  /** One alert in Alertmanager's webhook payload, version 4. */
  static ObjectNode payload(Alert alert) {
    String status = alert.state() == AlertState.RESOLVED ? "resolved" : "firing";
    Map<String, String> labels = labels(alert);
    Map<String, String> annotations = new java.util.TreeMap<>();
    if (alert.summary() != null) {
      annotations.put("summary", alert.summary());
    }
    if (alert.state() == AlertState.RESOLVED && alert.resolution() != null) {
      // Alertmanager knows only "resolved": the annotation says whether it was a recovery
      annotations.put("resolution", alert.resolution().label());
    }

    ObjectNode one = Json.objectNode();
    one.put("status", status);
    one.set("labels", Json.toTree(labels));
    one.set("annotations", Json.toTree(annotations));
    Instant starts = alert.firedAt() != null ? alert.firedAt() : alert.pendingSince();
    one.put("startsAt", starts == null ? ZERO_TIME : starts.toString());
    boolean ended = alert.state() == AlertState.RESOLVED && alert.resolvedAt() != null;
    one.put("endsAt", ended ? alert.resolvedAt().toString() : ZERO_TIME);
    one.put("generatorURL", "");
    one.put("fingerprint", fingerprint(alert.key()));

    ObjectNode payload = Json.objectNode();
    payload.put("version", "4");
    payload.put("groupKey", groupKey(labels));
    payload.put("truncatedAlerts", 0);
    payload.put("status", status);
    payload.put("receiver", RECEIVER);
    payload.set("groupLabels", Json.toTree(labels));
    payload.set("commonLabels", Json.toTree(labels));
    payload.set("commonAnnotations", Json.toTree(annotations));
    payload.put("externalURL", "");
    payload.putArray("alerts").add(one);
    return payload;
  }

  /** The alert's labels with {@code alertname}, {@code severity} and {@code kind}, sorted. */
  static Map<String, String> labels(Alert alert) {
    Map<String, String> labels = new TreeMap<>(alert.labels());
    // The rule's own labels win over a subject label of the same name: routes match on them.
    labels.put("alertname", alert.rule() == null ? alert.key() : alert.rule());
    if (alert.severity() != null) {
      labels.put("severity", alert.severity().label());
    }
    if (alert.kind() != null) {
      labels.put("kind", alert.kind().label());
    }
    return labels;
  }

  /** Alertmanager's form: {@code {}:{name="value", ...}}. */
  static String groupKey(Map<String, String> labels) {
    return labels.entrySet().stream()
        .map(e -> e.getKey() + "=\"" + quoted(e.getValue()) + "\"")
        .collect(Collectors.joining(", ", "{}:{", "}"));
  }

  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** 16 hex digits of the key's SHA-256: the same alert key always gets the same fingerprint. */
  static String fingerprint(String key) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String shown(URI url) {
    try {
      return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null)
          .toString();
    } catch (URISyntaxException e) {
      return url.getScheme() + "://" + url.getHost();
    }
  }

  @Override
  public void close() {
    // The JDK 17 client has no close: its threads end once it is unreachable. From JDK 21 on it
    // is AutoCloseable, and closing it ends them now.
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // nothing is left to release
      }
    }
  }

  @Override
  public String toString() {
    return "webhook " + shownUrl;
  }
}
