package dev.pipekeeper.core.monitor;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.monitor.internal.LogSink;
import dev.pipekeeper.core.monitor.internal.WebhookSink;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The alert sinks Pipekeeper ships. Each is given to the monitor, which calls it from that sink's
 * own delivery thread and retries what it throws, so none of them needs to be thread-safe beyond
 * that.
 */
public final class AlertSinks {
  /** The timeout of {@link #webhook(URI)}. */
  public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(5);

  private AlertSinks() {}

  /**
   * A sink named {@code log} that writes one line per transition to the SLF4J logger {@code
   * dev.pipekeeper.alerts}: WARN when an alert fires, INFO when it resolves, with its severity,
   * key, summary and times (UTC). It never fails.
   */
  public static AlertSink log() {
    return new LogSink();
  }

  /**
   * A sink named {@code webhook} that POSTs each transition to {@code url} with the {@link
   * #DEFAULT_WEBHOOK_TIMEOUT} and no extra headers; see {@link #webhook(URI, Duration, Map)}.
   *
   * @throws InvalidInputException if {@code url} is not an absolute http or https URL with a host
   */
  public static AlertSink webhook(URI url) {
    return webhook(url, DEFAULT_WEBHOOK_TIMEOUT, Map.of());
  }

  /**
   * A sink named {@code webhook} that POSTs each transition to {@code url} as JSON in
   * Alertmanager's webhook payload (version 4), one alert per request, so any receiver written for
   * Alertmanager takes it. The alert's labels are its subject ({@code group}, {@code member}, ...)
   * plus {@code alertname} (the rule), {@code severity} and {@code kind}; its annotation is {@code
   * summary}; {@code fingerprint} is a stable hash of the alert's key; a firing alert's {@code
   * endsAt} is Alertmanager's zero time {@code 0001-01-01T00:00:00Z}.
   *
   * <p>A delivery fails (and the monitor retries it with backoff) on any status other than 2xx, on
   * an I/O error and when the receiver does not answer within {@code timeout}; redirects are not
   * followed. A transition may reach the receiver twice across a monitor failover; the payload's
   * fingerprint and status identify it. Error messages name the URL without its user info and
   * query; header values are never logged.
   *
   * @param url an absolute http or https URL
   * @param timeout bounds connecting and each whole request
   * @param headers sent with every request, e.g. {@code Authorization}; {@code Content-Type} is
   *     {@code application/json} unless given here
   * @throws InvalidInputException if the URL is not http or https with a host, the timeout is not
   *     positive, or a header is not one a request may carry
   */
  public static AlertSink webhook(URI url, Duration timeout, Map<String, String> headers) {
    if (url == null) {
      throw new InvalidInputException("webhook URL is missing");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidInputException(
          "webhook URL '" + url + "' is not an absolute http or https URL");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new InvalidInputException("webhook URL '" + url + "' has no host");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new InvalidInputException("webhook timeout must be positive, not " + timeout);
    }
    if (headers == null) {
      throw new InvalidInputException("webhook headers are missing (pass an empty map for none)");
    }
    HttpRequest.Builder check = HttpRequest.newBuilder(url);
    headers.forEach(
        (name, value) -> {
          if (name == null || value == null) {
            throw new InvalidInputException("webhook header " + name + " has no name or value");
          }
          try {
            check.setHeader(name, value);
          } catch (IllegalArgumentException e) {
            // The message names the header, never its value (it may be a credential).
            throw new InvalidInputException(
                "webhook header '" + name + "' cannot be sent: it is restricted or not valid");
          }
        });
    return new WebhookSink(url, timeout, headers);
  }
}
