package dev.pipekeeper.app.demo;

import dev.pipekeeper.examples.EnrichmentExample;
import dev.pipekeeper.kafka.KafkaClientSettings;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes orders for the enrichment example at a steady rate, amounts spread around 1000. */
final class OrderFeed implements AutoCloseable {
  private static final String[] CUSTOMERS = {"acme", "globex", "initech", "umbrella", "hooli"};

  private final KafkaProducer<String, String> producer;
  private final ScheduledExecutorService timer;
  private final Random random = new Random(42);
  private final AtomicLong sent = new AtomicLong();

  OrderFeed(KafkaClientSettings kafka, int perSecond) {
    Map<String, Object> config = kafka.producer();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pipekeeper-demo-orders");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(this::send, 0, 1000 / perSecond, TimeUnit.MILLISECONDS);
  }

  private void send() {
    long n = sent.incrementAndGet();
    String customer = CUSTOMERS[random.nextInt(CUSTOMERS.length)];
    double amount = Math.round(random.nextDouble() * 2000 * 100) / 100.0;
    String order =
        String.format(
            Locale.ROOT,
            "{\"id\": \"order-%d\", \"customer\": \"%s\", \"amount\": %.2f}",
            n,
            customer,
            amount);
    producer.send(new ProducerRecord<>(EnrichmentExample.ORDERS, customer, order));
  }

  long sent() {
    return sent.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
