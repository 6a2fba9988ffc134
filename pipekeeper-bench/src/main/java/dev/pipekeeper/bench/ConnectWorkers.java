package dev.pipekeeper.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.FutureCallback;

/** The standalone Connect worker the connector benchmarks run their connector in (this JVM). */
final class ConnectWorkers {
  private ConnectWorkers() {}

  /** connect-runtime's own standalone worker: string keys, JSON values without schemas. */
  static Connect<StandaloneHerder> standalone(String bootstrap, Path offsets) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("key.converter", StringConverter.class.getName());
    props.put("value.converter", JsonConverter.class.getName());
    props.put("value.converter.schemas.enable", "false");
    props.put("offset.storage.file.filename", offsets.toString());
    props.put("offset.flush.interval.ms", "1000");
    props.put("listeners", "http://127.0.0.1:0");
    props.put("plugin.discovery", "service_load");
    return new ConnectStandalone().startConnect(props);
  }

  /** Creates connector {@code name} with {@code config} (which must hold its name). */
  static void put(Connect<StandaloneHerder> worker, String name, Map<String, String> config)
      throws Exception {
    FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
    worker.herder().putConnectorConfig(name, config, true, done);
    done.get(60, TimeUnit.SECONDS);
  }
}
