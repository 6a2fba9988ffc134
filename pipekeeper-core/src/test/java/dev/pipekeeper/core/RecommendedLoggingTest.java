package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The logging configuration shipped for applications ({@code
 * dev/pipekeeper/logback-pipekeeper.xml}) and the sample logback.xml of docs/logging.md parse with
 * Logback and set the documented levels.
 */
class RecommendedLoggingTest {
  private static final String INCLUDE = "dev/pipekeeper/logback-pipekeeper.xml";

  @Test
  void theShippedIncludeQuietsTheClientsAndKeepsPipekeeperAtInfoEvenUnderADebugRoot()
      throws JoranException {
    assertThat(getClass().getClassLoader().getResource(INCLUDE)).as(INCLUDE).isNotNull();
    LoggerContext context =
        configure(
            "<configuration><include resource=\""
                + INCLUDE
                + "\"/><root level=\"DEBUG\"/></configuration>");
    assertRecommendedLevels(context);
    assertThat(level(context, "com.example.App")).isEqualTo(Level.DEBUG);
  }

  @Test
  void theDocumentedSampleParsesAndSetsTheRecommendedLevels() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "logging.md"));
    Matcher sample =
        Pattern.compile("```xml\n(<configuration>.*?</configuration>)\n```", Pattern.DOTALL)
            .matcher(docs);
    assertThat(sample.find()).as("a logback.xml sample in docs/logging.md").isTrue();
    assertThat(sample.group(1)).contains("<include resource=\"" + INCLUDE + "\"/>");
    LoggerContext context = configure(sample.group(1));
    assertRecommendedLevels(context);
    assertThat(level(context, "com.example.App")).isEqualTo(Level.INFO);
  }

  @Test
  void anApplicationsOwnLoggerAfterTheIncludeWins() throws JoranException {
    LoggerContext context =
        configure(
            "<configuration><include resource=\""
                + INCLUDE
                + "\"/><logger name=\"org.apache.kafka.clients.consumer\" level=\"INFO\"/>"
                + "</configuration>");
    assertThat(level(context, "org.apache.kafka.clients.consumer.KafkaConsumer"))
        .isEqualTo(Level.INFO);
    assertThat(level(context, "org.apache.kafka.clients.producer.KafkaProducer"))
        .isEqualTo(Level.WARN);
  }

  private static void assertRecommendedLevels(LoggerContext context) {
    assertThat(level(context, "dev.pipekeeper.core.membership.internal.DefaultMember"))
        .isEqualTo(Level.INFO);
    assertThat(level(context, "dev.pipekeeper.kafka.internal.ParallelPipeline"))
        .isEqualTo(Level.INFO);
    assertThat(level(context, "dev.pipekeeper.alerts")).isEqualTo(Level.INFO);
    assertThat(level(context, "org.apache.kafka.clients.consumer.ConsumerConfig"))
        .isEqualTo(Level.WARN);
    assertThat(level(context, "org.apache.kafka.clients.NetworkClient")).isEqualTo(Level.WARN);
    assertThat(level(context, "org.apache.zookeeper.ClientCnxn")).isEqualTo(Level.WARN);
    assertThat(level(context, "org.apache.curator.framework.imps.CuratorFrameworkImpl"))
        .isEqualTo(Level.WARN);
  }

  /** A fresh context (not the tests' own), configured from {@code xml}; any warning fails. */
  private static LoggerContext configure(String xml) throws JoranException {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .as("Logback's status messages")
        .allSatisfy(s -> assertThat(s.getLevel()).as(s.getMessage()).isEqualTo(Status.INFO));
    return context;
  }

  private static Level level(LoggerContext context, String logger) {
    return context.getLogger(logger).getEffectiveLevel();
  }
}
