package dev.pipekeeper.connect.testing;

import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * A real Kafka Connect standalone worker (connect-runtime's own {@link ConnectStandalone}) in this
 * JVM, its offsets in a file: stopping it and starting another on the same file is a restart from
 * offsets. Plugins are found by service manifests alone ({@code plugin.discovery=service_load}), so
 * the connector's manifest is tested too. Keys are strings; values JSON without schemas.
 */
public final class StandaloneWorker implements AutoCloseable {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  private final Connect<StandaloneHerder> connect;
  private boolean stopped;

  private StandaloneWorker(Connect<StandaloneHerder> connect) {
    this.connect = connect;
  }

  /** Starts a worker on {@code bootstrapServers} with its offsets in {@code offsetsFile}. */
  public static StandaloneWorker start(String bootstrapServers, Path offsetsFile) {
    return start(bootstrapServers, offsetsFile, Map.of());
  }

  /** The same with {@code extra} worker settings on top (e.g. an override policy). */
  public static StandaloneWorker start(
      String bootstrapServers, Path offsetsFile, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("key.converter", StringConverter.class.getName());
    props.put("value.converter", JsonConverter.class.getName());
    props.put("value.converter.schemas.enable", "false");
    props.put("offset.storage.file.filename", offsetsFile.toString());
    props.put("offset.flush.interval.ms", "500");
    props.put("listeners", "http://127.0.0.1:0");
    props.put("plugin.discovery", "service_load");
    props.putAll(extra);
    return new StandaloneWorker(new ConnectStandalone().startConnect(props));
  }

  public Herder herder() {
    return connect.herder();
  }

  /** Creates (or replaces) connector {@code name}; the worker validates it first. */
  public ConnectorInfo putConnector(String name, Map<String, String> config) {
    Map<String, String> named = new HashMap<>(config);
    named.put("name", name);
    FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
    connect.herder().putConnectorConfig(name, named, true, done);
    try {
      return done.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).result();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("connector " + name + " not created: " + e.getMessage(), e);
    }
  }

  /** Whether the connector and each of its tasks run. */
  public boolean running(String name) {
    try {
      ConnectorStateInfo status = connect.herder().connectorStatus(name);
      return "RUNNING".equals(status.connector().state())
          && !status.tasks().isEmpty()
          && status.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Stops the worker gracefully (its tasks commit their offsets). Safe to call twice. */
  @Override
  public void close() {
    if (!stopped) {
      stopped = true;
      connect.stop();
      connect.awaitStop();
    }
  }
}
