package dev.pipekeeper.app.cli;

import dev.pipekeeper.connect.ClassLoadingOverridePolicy;
import dev.pipekeeper.connect.ClassLoadingSettings;
import dev.pipekeeper.connect.sink.ZooKeeperSinkConfig;
import dev.pipekeeper.connect.sink.ZooKeeperSinkConnector;
import dev.pipekeeper.connect.source.ZooKeeperSourceConfig;
import dev.pipekeeper.connect.source.ZooKeeperSourceConnector;
import dev.pipekeeper.connect.zookeeper.ZooKeeperConnection;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.PipekeeperException;
import dev.pipekeeper.kafka.KafkaClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * The embedded Kafka Connect worker of {@code pipekeeper bridge}: connect-runtime's own standalone
 * worker ({@link ConnectStandalone}) in this process, its offsets in a file, its REST interface on
 * the loopback address only, the connectors found on the class path by their service manifests,
 * connector client overrides under {@link ClassLoadingOverridePolicy}. The Kafka client properties
 * apply to every client the worker makes, as {@link KafkaClientSettings} says (a prefixed key to
 * its kind of client only).
 */
final class BridgeWorker implements AutoCloseable {
  private final Connect<StandaloneHerder> connect;
  private final String name;

  private BridgeWorker(Connect<StandaloneHerder> connect, String name) {
    this.connect = connect;
    this.name = name;
  }

  /**
   * Starts a worker and has it run connector {@code name} with {@code connector}'s settings.
   *
   * @throws InvalidInputException (exit 2) if the worker's validation refuses the settings: the
   *     connector's own errors, one per line
   */
  static BridgeWorker start(
      KafkaClientSettings kafka, Path offsets, String name, Map<String, String> connector) {
    Connect<StandaloneHerder> connect =
        new ConnectStandalone().startConnect(workerProps(kafka, offsets));
    BridgeWorker worker = new BridgeWorker(connect, name);
    try {
      Map<String, String> named = new HashMap<>(connector);
      named.put("name", name);
      FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
      connect.herder().putConnectorConfig(name, named, false, done);
      done.get(2, TimeUnit.MINUTES);
      return worker;
    } catch (ExecutionException e) {
      worker.close();
      throw new InvalidInputException("bridge " + name + " refused: " + errors(e.getCause()));
    } catch (TimeoutException e) {
      worker.close();
      throw new PipekeeperException("bridge " + name + ": the worker did not take the connector");
    } catch (InterruptedException e) {
      worker.close();
      Thread.currentThread().interrupt();
      throw new PipekeeperException("interrupted while starting bridge " + name, e);
    } catch (RuntimeException e) {
      worker.close();
      throw e;
    }
  }

  /**
   * The whole life of a bridge command: starts the worker with the connector, waits until it runs,
   * prints {@code prefix + ": " + started}, runs until {@code shutdown} is requested (a failure
   * meanwhile is exit 1, naming {@code prefix}), then prints {@code prefix + ": stopping"} and
   * stops the worker gracefully.
   */
  static void serve(
      KafkaClientSettings kafka,
      Path offsets,
      String name,
      Map<String, String> connector,
      java.io.PrintWriter out,
      String prefix,
      String started,
      ShutdownSignal shutdown)
      throws InterruptedException {
    try (BridgeWorker worker = start(kafka, offsets, name, connector)) {
      worker.awaitRunning(Duration.ofMinutes(2));
      out.println(prefix + ": " + started);
      out.flush();
      worker.runUntil(shutdown, prefix);
      out.println(prefix + ": stopping");
      out.flush();
    }
  }

  /**
   * Waits until the connector and every task run.
   *
   * @throws PipekeeperException if one failed (the first line of its error), or at {@code bound}
   */
  void awaitRunning(Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      Optional<String> failure = failure();
      if (failure.isPresent()) {
        throw new PipekeeperException("bridge " + name + " failed: " + failure.get());
      }
      if (running()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new PipekeeperException(
            "bridge " + name + " did not start its tasks within " + bound.toSeconds() + " s");
      }
      Thread.sleep(100); // the herder has no listener for its connectors' states
    }
  }

  /** Whether the connector and each of its tasks run. */
  boolean running() {
    ConnectorStateInfo status = status();
    return status != null
        && "RUNNING".equals(status.connector().state())
        && !status.tasks().isEmpty()
        && status.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()));
  }

  /** The first line of the error of the connector or a task that failed, if one has. */
  Optional<String> failure() {
    ConnectorStateInfo status = status();
    if (status == null) {
      return Optional.empty();
    }
    if ("FAILED".equals(status.connector().state())) {
      return Optional.of(firstLine(status.connector().trace()));
    }
    return status.tasks().stream()
        .filter(t -> "FAILED".equals(t.state()))
        .findFirst()
        .map(t -> "task " + t.id() + ": " + firstLine(t.trace()));
  }

  private ConnectorStateInfo status() {
    try {
      return connect.herder().connectorStatus(name);
    } catch (RuntimeException e) {
      return null; // not known yet
    }
  }

  /**
   * The source connector's settings for {@code subtrees} of the ensemble that {@code zookeeper}
   * names (its connect string, connection timeout and client file), one task per subtree.
   */
  static Map<String, String> sourceConnector(
      ConnectionOptions.ZooKeeper zookeeper, List<String> subtrees, String topic, String format) {
    Map<String, String> connector = new HashMap<>();
    connector.put("connector.class", ZooKeeperSourceConnector.class.getName());
    connector.put("tasks.max", Integer.toString(subtrees.size()));
    connector.put(ZooKeeperConnection.ZOOKEEPER_CONNECT_CONFIG, zookeeper.connectString);
    connector.put(ZooKeeperSourceConfig.SUBTREES_CONFIG, String.join(",", subtrees));
    connector.put(ZooKeeperSourceConfig.TOPIC_CONFIG, topic);
    connector.put(ZooKeeperSourceConfig.VALUE_FORMAT_CONFIG, format);
    connector.put(
        ZooKeeperConnection.CONNECTION_TIMEOUT_CONFIG,
        Long.toString(zookeeper.connectTimeout.toMillis()));
    if (zookeeper.zkConfig != null) {
      connector.put(
          ZooKeeperConnection.CLIENT_FILE_CONFIG, zookeeper.zkConfig.toAbsolutePath().toString());
    }
    return connector;
  }

  /**
   * The sink connector's settings: commands from {@code topic} applied to {@code subtree} of the
   * ensemble that {@code zookeeper} names; refused records to {@code deadLetterTopic} (null: none,
   * and a refused record fails the task); outcomes to {@code resultTopic} (null: none).
   */
  static Map<String, String> sinkConnector(
      ConnectionOptions.ZooKeeper zookeeper,
      String topic,
      String subtree,
      String deadLetterTopic,
      String resultTopic,
      ConnectionOptions.Kafka kafka) {
    Map<String, String> connector = new HashMap<>();
    connector.put("connector.class", ZooKeeperSinkConnector.class.getName());
    connector.put("tasks.max", "1");
    connector.put("topics", topic);
    connector.put("value.converter", StringConverter.class.getName());
    connector.put(ZooKeeperConnection.ZOOKEEPER_CONNECT_CONFIG, zookeeper.connectString);
    connector.put(ZooKeeperSinkConfig.SUBTREE_CONFIG, subtree);
    connector.put(
        ZooKeeperConnection.CONNECTION_TIMEOUT_CONFIG,
        Long.toString(zookeeper.connectTimeout.toMillis()));
    if (zookeeper.zkConfig != null) {
      connector.put(
          ZooKeeperConnection.CLIENT_FILE_CONFIG, zookeeper.zkConfig.toAbsolutePath().toString());
    }
    if (deadLetterTopic != null) {
      connector.put("errors.tolerance", "all");
      connector.put("errors.deadletterqueue.topic.name", deadLetterTopic);
      connector.put("errors.deadletterqueue.topic.replication.factor", "-1"); // the broker's
      connector.put("errors.deadletterqueue.context.headers.enable", "true");
    }
    if (resultTopic != null) {
      connector.put(ZooKeeperSinkConfig.RESULT_TOPIC_CONFIG, resultTopic);
      connector.put(ZooKeeperSinkConfig.RESULT_BOOTSTRAP_CONFIG, kafka.bootstrapServers);
      // the result producer logs in as the operator's own client file says (security included);
      // the class settings in it are the operator's, so they are allowed
      List<String> allowed = new java.util.ArrayList<>();
      kafka
          .settings()
          .producer()
          .forEach(
              (key, value) -> {
                if (!key.equals("bootstrap.servers")) {
                  connector.put(ZooKeeperSinkConfig.RESULT_PRODUCER_PREFIX + key, value.toString());
                  if (ClassLoadingSettings.loadsClasses(key)) {
                    allowed.add(key);
                  }
                }
              });
      connector.put(
          ZooKeeperSinkConfig.RESULT_CLASS_SETTINGS_ALLOWED_CONFIG, String.join(",", allowed));
    }
    return connector;
  }

  /**
   * Runs until {@code shutdown} is requested (Ctrl-C, SIGTERM).
   *
   * @throws PipekeeperException (exit 1) as soon as the connector or a task fails, naming {@code
   *     what} and the first line of its error
   */
  void runUntil(ShutdownSignal shutdown, String what) throws InterruptedException {
    while (!shutdown.awaitRequest(1_000)) {
      Optional<String> failure = failure();
      if (failure.isPresent()) {
        throw new PipekeeperException(what + " failed: " + failure.get());
      }
    }
  }

  /** Stops the worker gracefully: its tasks commit their offsets to the file. */
  @Override
  public void close() {
    connect.stop();
    connect.awaitStop();
  }

  private static Map<String, String> workerProps(KafkaClientSettings kafka, Path offsets) {
    Map<String, String> props = new HashMap<>();
    // the client properties: unprefixed ones to every client, prefixed ones win for their kind
    kafka
        .properties()
        .forEach(
            (key, value) -> {
              props.put(key, value.toString());
              if (!key.startsWith("producer.")
                  && !key.startsWith("consumer.")
                  && !key.startsWith("admin.")) {
                for (String client : List.of("producer.", "consumer.", "admin.")) {
                  props.putIfAbsent(client + key, value.toString());
                }
              }
            });
    kafka
        .properties()
        .forEach(
            (key, value) -> {
              if (key.startsWith("producer.")
                  || key.startsWith("consumer.")
                  || key.startsWith("admin.")) {
                props.put(key, value.toString());
              }
            });
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("key.converter", StringConverter.class.getName());
    props.put("value.converter", JsonConverter.class.getName());
    props.put("value.converter.schemas.enable", "false");
    props.put("offset.storage.file.filename", offsets.toAbsolutePath().toString());
    props.put("offset.flush.interval.ms", "1000");
    props.put("listeners", "http://127.0.0.1:0");
    props.put("plugin.discovery", "service_load");
    props.put(
        "connector.client.config.override.policy", ClassLoadingOverridePolicy.class.getName());
    return props;
  }

  /** The connector's own errors out of the worker's validation message. */
  private static String errors(Throwable error) {
    String message = error.getMessage() == null ? error.toString() : error.getMessage();
    List<String> lines =
        message
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty())
            .filter(line -> !line.startsWith("Connector configuration is invalid"))
            .filter(line -> !line.startsWith("You can also find the above list of errors"))
            .toList();
    return String.join("; ", lines);
  }

  private static String firstLine(String trace) {
    if (trace == null || trace.isBlank()) {
      return "(no reason given)";
    }
    return trace.lines().findFirst().orElse(trace).strip();
  }
}
