package dev.pipekeeper.faults;

import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.Launch;
import java.nio.file.Path;

/**
 * The Kafka broker of a scenario, in a process of its own so that it can be killed ({@code kill
 * -9}) and started again on the same port and data: its clients, which know it by that address,
 * find it again on their own. Not thread-safe: the scenario's one thread drives it.
 */
final class KafkaBroker implements AutoCloseable {
  private final Path dir;
  private final int port;
  private EmbeddedKafka kafka;

  /** Starts a broker with its data in {@code dir}. */
  KafkaBroker(Path dir) {
    this.dir = dir;
    this.kafka = build(0).start();
    this.port = kafka.brokerPort();
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** {@code kill -9} of the broker's process: no shutdown, no flush beyond the page cache. */
  void kill() {
    kafka
        .childProcess()
        .orElseThrow(() -> new IllegalStateException("the broker is not running"))
        .kill();
    kafka.close();
  }

  /** Starts the broker again on its port and data; returns once it answers clients. */
  void start() {
    kafka = build(port).start();
  }

  private EmbeddedKafka build(int brokerPort) {
    EmbeddedKafka.Builder builder =
        EmbeddedKafka.builder().dataDir(dir).launch(Launch.CHILD_PROCESS).quiet(true);
    return (brokerPort > 0 ? builder.brokerPort(brokerPort) : builder).build();
  }

  @Override
  public void close() {
    kafka.close();
  }
}
