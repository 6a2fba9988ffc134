package dev.pipekeeper.app.status;

import dev.pipekeeper.core.ensemble.HostAndPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;

/** Asks a Kafka cluster who it is and which brokers it has, within one timeout. */
public final class KafkaProbe {
  private final Duration timeout;

  public KafkaProbe(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Probes the cluster; an unreachable cluster is reported in the result, never thrown.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if {@code bootstrapServers} is malformed
   */
  public KafkaStatus probe(String bootstrapServers) {
    HostAndPort.parseList(bootstrapServers, 0, "Kafka bootstrap servers");
    int millis = (int) Math.max(1, timeout.toMillis());
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "pipekeeper-status");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (long) millis);
    config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (long) millis);
    try (Admin admin = Admin.create(config)) {
      DescribeClusterResult result =
          admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis));
      String clusterId = result.clusterId().get(millis + 1000L, TimeUnit.MILLISECONDS);
      List<KafkaStatus.Broker> brokers =
          result.nodes().get(millis + 1000L, TimeUnit.MILLISECONDS).stream()
              .map(KafkaProbe::broker)
              .toList();
      Node controller = result.controller().get(millis + 1000L, TimeUnit.MILLISECONDS);
      return new KafkaStatus(
          bootstrapServers,
          true,
          Optional.ofNullable(clusterId),
          brokers,
          controller == null || controller.isEmpty()
              ? Optional.empty()
              : Optional.of(controller.id()),
          Optional.empty());
    } catch (KafkaException e) {
      // Admin.create refuses host names that do not resolve.
      return unreachable(bootstrapServers, rootMessage(e));
    } catch (ExecutionException | TimeoutException e) {
      return unreachable(bootstrapServers, "no answer within " + millis + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unreachable(bootstrapServers, "interrupted");
    }
  }

  private static KafkaStatus.Broker broker(Node node) {
    return new KafkaStatus.Broker(
        node.id(), node.host(), node.port(), Optional.ofNullable(node.rack()));
  }

  private static KafkaStatus unreachable(String bootstrapServers, String error) {
    return new KafkaStatus(
        bootstrapServers, false, Optional.empty(), List.of(), Optional.empty(), Optional.of(error));
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
