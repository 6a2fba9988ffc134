package dev.pipekeeper.examples;

import dev.pipekeeper.kafka.KafkaClientSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The scheduler's clock: writes the Unix time in seconds to {@value SchedulerExample#TICKS} once a
 * second, with an idempotent producer. Run one per cluster.
 */
public final class TickClock implements AutoCloseable {
  private final KafkaProducer<String, Long> producer;
  private final ScheduledExecutorService timer;
  private final Clock clock;

  private TickClock(KafkaClientSettings kafka, Clock clock) {
    this.clock = clock;
    Map<String, Object> config = kafka.producer();
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new LongSerializer());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "pipekeeper-tick-clock");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts ticking at the next whole second, its producer with {@code kafka}'s settings. */
  public static TickClock start(KafkaClientSettings kafka) {
    TickClock tickClock = new TickClock(kafka, Clock.systemUTC());
    long now = tickClock.clock.millis();
    tickClock.timer.scheduleAtFixedRate(
        tickClock::tick, 1000 - now % 1000, 1000, TimeUnit.MILLISECONDS);
    return tickClock;
  }

  private void tick() {
    long second = clock.millis() / 1000;
    producer.send(new ProducerRecord<>(SchedulerExample.TICKS, null, second));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    producer.close(Duration.ofSeconds(5));
  }
}
