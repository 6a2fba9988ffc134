package dev.pipekeeper.connect.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A real distributed Connect worker (connect-runtime's {@link ConnectDistributed}) with
 * exactly-once source support, in a JVM of its own so that a test can kill it ({@code SIGKILL}).
 * Arguments: bootstrap servers, the worker group (its three internal topics are named after it),
 * the connector's name, then the connector's settings as {@code key=value} (none: the connector is
 * already in the config topic). Prints {@code running NAME} once the connector and its tasks run;
 * stops when its standard input closes.
 */
public final class DistributedWorkerMain {
  private DistributedWorkerMain() {}

  public static void main(String[] args) throws Exception {
    String group = args[1];
    String name = args[2];
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", group);
    props.put("config.storage.topic", group + "-configs");
    props.put("offset.storage.topic", group + "-offsets");
    props.put("status.storage.topic", group + "-status");
    props.put("config.storage.replication.factor", "1");
    props.put("offset.storage.replication.factor", "1");
    props.put("status.storage.replication.factor", "1");
    props.put("exactly.once.source.support", "enabled");
    props.put("key.converter", StringConverter.class.getName());
    props.put("value.converter", JsonConverter.class.getName());
    props.put("value.converter.schemas.enable", "false");
    props.put("listeners", "http://127.0.0.1:0");
    props.put("plugin.discovery", "service_load");
    props.put("offset.flush.interval.ms", "500");
    // a killed worker's tasks go to the next one at once, not after the default 5 minutes
    props.put("scheduled.rebalance.max.delay.ms", "0");
    // a dead member holds a join up to the rebalance timeout (default 60 s)
    props.put("session.timeout.ms", "6000");
    props.put("rebalance.timeout.ms", "10000");
    // a killed task's open transaction holds read_committed readers of the offsets topic (the
    // next worker's start among them) until it times out: 5 s, not the default 60 s
    props.put("producer.transaction.timeout.ms", "5000");
    props.put("heartbeat.interval.ms", "1000");
    Connect<DistributedHerder> connect = new ConnectDistributed().startConnect(props);
    if (args.length > 3) {
      Map<String, String> config = new HashMap<>();
      config.put("name", name);
      for (int i = 3; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        config.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
      FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
      connect.herder().putConnectorConfig(name, config, true, done);
      done.get(60, TimeUnit.SECONDS);
    }
    await("connector " + name + " running")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> running(connect.herder(), name));
    System.out.println("running " + name);
    System.out.flush();
    System.in.transferTo(java.io.OutputStream.nullOutputStream());
    connect.stop();
    connect.awaitStop();
  }

  private static boolean running(Herder herder, String name) {
    try {
      ConnectorStateInfo status = herder.connectorStatus(name);
      return "RUNNING".equals(status.connector().state())
          && !status.tasks().isEmpty()
          && status.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
