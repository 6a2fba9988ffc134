package dev.pipekeeper.embedded.internal;

import java.nio.file.Path;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Turns the embedded servers' own loggers down to WARN when Logback is the SLF4J backend. A Kafka
 * broker logs thousands of INFO lines at start; a user of the embedded servers wants to see their
 * own program. With another backend this does nothing: configure it yourself.
 */
public final class QuietLogging {
  /** Loggers of the servers only; the clients' loggers are left to the application. */
  public static final List<String> SERVER_LOGGERS =
      List.of(
          "kafka",
          "state.change.logger",
          "org.apache.kafka.server",
          "org.apache.kafka.controller",
          "org.apache.kafka.raft",
          "org.apache.kafka.storage",
          "org.apache.kafka.metadata",
          "org.apache.kafka.image",
          "org.apache.kafka.coordinator",
          "org.apache.kafka.queue",
          "org.apache.kafka.snapshot",
          "org.apache.kafka.security",
          "org.apache.kafka.network",
          "org.apache.kafka.common.network",
          "org.apache.kafka.common.security",
          "org.apache.kafka.common.utils.AppInfoParser",
          "org.apache.kafka.common.metrics",
          "org.apache.kafka.common.config",
          "org.apache.kafka.clients.NetworkClient",
          "org.apache.kafka.clients.ClientUtils",
          "org.apache.zookeeper.server",
          "org.apache.zookeeper.common",
          "org.apache.zookeeper.jmx",
          "org.apache.zookeeper.Environment",
          "org.apache.zookeeper.audit",
          "org.apache.zookeeper.util");

  private QuietLogging() {}

  /** Sets the servers' loggers to WARN, if Logback is the backend. */
  public static void apply() {
    apply(SERVER_LOGGERS, "WARN");
  }

  /** Sets every logger (the root) to {@code level}, if Logback is the backend. */
  public static void applyToRoot(String level) {
    apply(List.of("ROOT"), level);
  }

  /**
   * Sends the servers' loggers to {@code file} (WARN and above) instead of the application's
   * appenders, if Logback is the backend; running the returned action undoes it (once).
   */
  public static Runnable toFile(Path file) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!isLogback(factory)) {
      return () -> {};
    }
    return LogbackFile.redirect(factory, SERVER_LOGGERS, file);
  }

  private static void apply(List<String> names, String level) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (isLogback(factory)) {
      LogbackLevels.set(factory, names, level);
    }
  }

  private static boolean isLogback(ILoggerFactory factory) {
    return factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext");
  }

  /** Loaded only when Logback is present, so its absence never breaks class loading. */
  private static final class LogbackLevels {
    static void set(ILoggerFactory factory, List<String> names, String level) {
      ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) factory;
      ch.qos.logback.classic.Level target = ch.qos.logback.classic.Level.toLevel(level);
      for (String name : names) {
        ch.qos.logback.classic.Logger logger = context.getLogger(name);
        // Only ever quieter: a level the user configured explicitly, or a stricter inherited
        // one, wins over ours.
        boolean quieterAlready = logger.getEffectiveLevel().isGreaterOrEqual(target);
        if (name.equals("ROOT") || (logger.getLevel() == null && !quieterAlready)) {
          logger.setLevel(target);
        }
      }
    }
  }

  /** Loaded only when Logback is present, as {@link LogbackLevels}. */
  private static final class LogbackFile {
    static Runnable redirect(ILoggerFactory factory, List<String> names, Path file) {
      ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) factory;
      ch.qos.logback.classic.encoder.PatternLayoutEncoder encoder =
          new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
      encoder.setContext(context);
      encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n");
      encoder.start();
      ch.qos.logback.core.FileAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
          new ch.qos.logback.core.FileAppender<>();
      appender.setContext(context);
      appender.setName("pipekeeper-embedded-servers");
      appender.setFile(file.toString());
      appender.setAppend(true);
      appender.setEncoder(encoder);
      appender.start();
      if (!appender.isStarted()) {
        throw new dev.pipekeeper.embedded.EmbeddedServerException(
            "cannot write the servers' log to " + file);
      }
      java.util.Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> levels =
          new java.util.LinkedHashMap<>();
      java.util.Map<ch.qos.logback.classic.Logger, Boolean> additive =
          new java.util.LinkedHashMap<>();
      for (String name : names) {
        ch.qos.logback.classic.Logger logger = context.getLogger(name);
        levels.put(logger, logger.getLevel());
        additive.put(logger, logger.isAdditive());
        logger.setLevel(ch.qos.logback.classic.Level.WARN);
        logger.setAdditive(false);
        logger.addAppender(appender);
      }
      java.util.concurrent.atomic.AtomicBoolean closed =
          new java.util.concurrent.atomic.AtomicBoolean();
      return () -> {
        if (closed.compareAndSet(false, true)) {
          levels.forEach(
              (logger, level) -> {
                logger.detachAppender(appender);
                logger.setLevel(level);
                logger.setAdditive(additive.get(logger));
              });
          appender.stop();
        }
      };
    }
  }
}
