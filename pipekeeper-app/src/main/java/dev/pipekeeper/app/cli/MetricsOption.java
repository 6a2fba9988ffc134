package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import picocli.CommandLine.Option;

/** {@code --metrics-port}, for the long-running commands that serve Prometheus metrics. */
final class MetricsOption {
  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve Prometheus metrics at http://HOST:PORT/metrics (0 takes a free port; default:"
              + " no endpoint).")
  Integer port;

  /**
   * Checks the port before anything starts.
   *
   * @throws InvalidInputException (exit 2) if it is not a port
   */
  void check() {
    if (port != null && (port < 0 || port > 65535)) {
      throw new InvalidInputException("--metrics-port must be between 0 and 65535, not " + port);
    }
  }

  /**
   * Starts the endpoint if one was asked for: before the connection, since the global registry's
   * counters count only once a registry is in it.
   *
   * @return the endpoint, or null if none was asked for
   */
  MetricsEndpoint start() {
    return port != null ? MetricsEndpoint.start(port) : null;
  }
}
