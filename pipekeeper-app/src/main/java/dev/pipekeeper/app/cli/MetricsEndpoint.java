package dev.pipekeeper.app.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pipekeeper.core.PipekeeperException;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A Prometheus scrape endpoint, {@code GET /metrics}, on the JDK's HTTP server: a Prometheus
 * registry added to Micrometer's global registry (where pipelines record by default), with the
 * JVM's own meters.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  /**
   * Serves on {@code port} of every interface (0 takes a free port).
   *
   * @throws PipekeeperException (exit 1) if the port is taken
   */
  static MetricsEndpoint start(int port) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (BindException e) {
      throw new PipekeeperException(
          "port " + port + " is already in use, so the metrics endpoint cannot listen on it");
    } catch (IOException e) {
      throw new PipekeeperException("cannot open the metrics endpoint: " + e.getMessage(), e);
    }
    MetricsEndpoint endpoint = new MetricsEndpoint(registry, server);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    endpoint.gc.bindTo(registry);
    Metrics.addRegistry(registry);
    server.createContext("/metrics", endpoint::scrape);
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "pipekeeper-metrics");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
    return endpoint;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    Metrics.removeRegistry(registry);
    gc.close();
    registry.close();
  }
}
