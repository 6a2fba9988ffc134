package dev.pipekeeper.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.embedded.internal.FreePorts;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(60));

  @Test
  void aPortInUseIsRefusedAndLeavesNoTemporaryFolder() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      int port = taken.getLocalPort();
      EmbeddedKafka kafka = EmbeddedKafka.builder().brokerPort(port).build();
      Path dataDir = kafka.dataDir();
      assertThat(dataDir).exists();
      org.assertj.core.api.Assertions.assertThatThrownBy(kafka::start)
          .isInstanceOf(EmbeddedServerException.class)
          .hasMessageContaining("port " + port + " is already in use");
      assertThat(dataDir).doesNotExist();
    }
  }

  @Test
  void brokerServesProduceAndConsumeAndReleasesEverythingOnClose() throws Exception {
    Set<Long> before = Leaks.threadIds();
    EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
    Path dataDir = kafka.dataDir();

    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
          .isEqualTo(kafka.clusterId());
    }
    List<String> values = List.of("a", "b", "c");
    assertThat(Clients.produceAndConsume(kafka.bootstrapServers(), "in-process", values))
        .containsExactlyElementsOf(values);

    kafka.close();
    kafka.close();

    assertThat(FreePorts.isFree(kafka.brokerPort())).isTrue();
    assertThat(FreePorts.isFree(kafka.controllerPort())).isTrue();
    assertThat(dataDir).doesNotExist();
    await().atMost(BOUND).untilAsserted(() -> assertThat(Leaks.newThreads(before)).isEmpty());
  }

  @Test
  void brokerInAChildProcessServesAndDiesWithKill() throws Exception {
    try (EmbeddedKafka kafka =
        EmbeddedKafka.builder().launch(Launch.CHILD_PROCESS).build().start()) {
      ChildProcess child = kafka.childProcess().orElseThrow();
      assertThat(Clients.produceAndConsume(kafka.bootstrapServers(), "child", List.of("x")))
          .containsExactly("x");
      child.kill();
      assertThat(child.isAlive()).isFalse();
      await().atMost(BOUND).until(() -> FreePorts.isFree(kafka.brokerPort()));
    }
  }
}
