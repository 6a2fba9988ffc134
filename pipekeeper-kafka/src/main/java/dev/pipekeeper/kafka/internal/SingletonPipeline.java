package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.kafka.Guarantee;
import dev.pipekeeper.kafka.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SINGLETON pipeline instance: every instance contends for the role {@code NAME.singleton}; only
 * the leader consumes, with a consumer assigned every partition of the topics (no Kafka group
 * membership, so a zombie cannot take partitions) and a producer whose transactional id is the
 * pipeline's, so the leader of a new term fences the previous one in Kafka when it initializes.
 * Each term has its own clients; a term ends when its lease is no longer valid, and after Kafka
 * fenced it this instance does not open another until it holds a new lease.
 *
 * <p>While it stands by, an instance makes the clients of its next term ahead of time, so that a
 * takeover does not wait for their construction (class loading and setup take the better part of a
 * second in a fresh JVM), and warms the consumer with read-only calls (the topics' partitions,
 * their end offsets, and a fetch of each partition's last record, which is dropped; again every
 * minute, so its connections do not idle out). That is safe: a transactional producer sends nothing
 * before {@code initTransactions}, which is called only once the lease is granted, and the consumer
 * is in no group and commits nothing.
 *
 * <p>A closing leader gives its role up as soon as its loop has stopped (its last batch committed
 * or abandoned), and closes the term's clients meanwhile: the successor's {@code initTransactions}
 * fences them in any case, and closing them took about 100 ms that the successor had to wait for.
 */
public final class SingletonPipeline<KI, VI, KO, VO> extends BasePipeline<KI, VI, KO, VO> {
  private static final Logger LOG = LoggerFactory.getLogger(SingletonPipeline.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /** The bound of each warming call: the loop sees a grant only after it. */
  private static final Duration WARM_BOUND = Duration.ofSeconds(1);

  private static final long WARM_EVERY_NANOS = Duration.ofMinutes(1).toNanos();
  private static final long WARM_RETRY_NANOS = Duration.ofSeconds(1).toNanos();

  /**
   * How long each step of the warming fetch may poll: the loop checks for a grant between steps, so
   * a takeover waits at most this for it.
   */
  private static final Duration WARM_POLL = Duration.ofMillis(10);

  /** The steps a warming fetch may take (one per turn of the loop, about 100 ms apart). */
  private static final int WARM_POLL_STEPS = 50;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final SendErrors sends = new SendErrors();
  private final CountDownLatch loopEnded = new CountDownLatch(1);
  private volatile boolean running;
  private volatile Term term;
  private Lease fencedLease;
  private long fencedAt;
  private Member member;
  private Leadership leadership;
  private Thread thread;
  private Clients standby;
  private long nextWarm;
  private int warmPollsLeft;

  /** A consumer and a producer, not yet used: the next term's, made while standing by. */
  private record Clients(
      KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer) {}

  /** One term of leadership: its lease and its own clients. */
  private record Term(
      Lease lease,
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaProducer<byte[], byte[]> producer,
      Role role,
      Set<TopicPartition> partitions) {}

  /** Made by {@code PipelineBuilder.build()}, which validated the settings. */
  public SingletonPipeline(PipelineSettings<KI, VI, KO, VO> settings) {
    super(settings);
  }

  @Override
  public synchronized Pipeline start() {
    startOrRelease(
        () -> {
          member =
              settings.pipekeeper().membership().join(name(), MemberInfo.defaults().id(memberId));
          leadership = settings.pipekeeper().leadership(name() + ".singleton").start();
        },
        this::releaseZooKeeper);
    running = true;
    thread = startLoop(this::loop);
    return this;
  }

  /**
   * How long a term fenced in Kafka waits for its lease to end before it takes the fence for a
   * stale term's: one negotiated session timeout, within which a leader that lost its role learns
   * it. Read when a term opens (the client is connected then: while it reconnects the client
   * reports 0); until the first term, a conservative 30 s.
   */
  private volatile long fenceGraceNanos = Duration.ofSeconds(30).toNanos();

  @Override
  String transactionalId() {
    return settings.transactional() ? KafkaNames.singletonTransactionalId(name()) : null;
  }

  // ---- the pipeline thread ----

  private void loop() {
    try {
      while (running) {
        Optional<Lease> lease = leadership.awaitLease(POLL);
        Term current = term;
        if (lease.isEmpty() || !lease.get().isValid()) {
          endTerm(current, "no valid lease");
          prepareStandby();
          continue;
        }
        if (lease.get() == fencedLease) {
          if (System.nanoTime() - fencedAt < fenceGraceNanos) {
            continue; // Kafka said a newer leader exists; wait for this lease to end
          }
          // A newer leader's lease would have ended this one by now (a session timeout): what
          // fenced this term was a stale one, whose initTransactions outlasted its own lease.
          LOG.warn(
              "pipeline {}: fenced in Kafka {} ms ago, and the lease of epoch {} is still valid;"
                  + " fencing back the stale term that did it",
              name(),
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fencedAt),
              lease.get().epoch());
          fencedLease = null;
          continue;
        }
        if (current == null || current.lease() != lease.get()) {
          endTerm(current, "a new term began");
          try {
            current = openTerm(lease.get());
          } catch (RetriableException e) {
            // e.g. the broker restarting, or the lease ended while the term waited for it
            LOG.warn(
                "pipeline {}: could not open the term of epoch {}, trying again: {}",
                name(),
                lease.get().epoch(),
                e.toString());
            LockSupport.parkNanos(POLL.toNanos()); // not a spin while Kafka is away
            continue;
          }
        }
        boolean paused = followPause(current.consumer());
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = current.consumer().poll(POLL);
        } catch (WakeupException woken) {
          continue;
        }
        sampleLag(current.consumer(), paused);
        if (!records.isEmpty()) {
          processBatch(current, records);
        }
      }
    } catch (WakeupException woken) {
      stoppedByWakeup(running);
    } catch (RuntimeException e) {
      stoppedBy(e);
    } finally {
      loopEnded.countDown(); // nothing more is committed: close() gives the role up meanwhile
      endTerm(term, "stopping");
      if (running) {
        // Failed, not closed: an instance that does no work must not keep the role from the others.
        leadership.close();
      }
      if (standby != null) {
        close(standby);
        standby = null;
      }
      stopped.countDown();
    }
  }

  /** Makes the next term's clients if there are none yet, and warms them when it is time. */
  private void prepareStandby() {
    if (!running) {
      return;
    }
    if (standby == null) {
      try {
        standby = newClients();
      } catch (RuntimeException e) {
        // The term will try again when it opens, and report the error then.
        LOG.warn("pipeline {}: could not make the standby clients: {}", name(), e.toString());
        return;
      }
      nextWarm = System.nanoTime();
    }
    if (warmPollsLeft > 0) {
      continueWarmFetch(standby.consumer());
    } else if (System.nanoTime() - nextWarm >= 0) {
      warm(standby.consumer());
    }
  }

  /**
   * Read-only calls, each bounded by {@link #WARM_BOUND}, that connect the standby consumer to the
   * broker and the partitions' leaders and run the code a term opens with: in a member JVM that
   * never led, the first of them took 0.4–0.9 s. Not the committed offsets: while the leader's
   * transaction is open they are unstable, and the call would wait for it. Then a fetch of each
   * partition's last record begins (see {@link #continueWarmFetch}): a new leader's first poll took
   * 100–230 ms when its consumer had never fetched, 30–50 ms when it had. A failure is retried a
   * second later (a timeout in a JVM still starting) or a minute later.
   */
  private void warm(KafkaConsumer<byte[], byte[]> consumer) {
    long now = System.nanoTime();
    try {
      List<TopicPartition> partitions = partitionsOf(t -> consumer.partitionsFor(t, WARM_BOUND));
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, WARM_BOUND);
      nextWarm = now + WARM_EVERY_NANOS;
      List<TopicPartition> filled = new ArrayList<>();
      ends.forEach(
          (partition, end) -> {
            if (end > 0) {
              filled.add(partition);
            }
          });
      if (!filled.isEmpty()) {
        consumer.assign(filled);
        filled.forEach(partition -> consumer.seek(partition, ends.get(partition) - 1));
        warmPollsLeft = WARM_POLL_STEPS;
      }
    } catch (KafkaException e) {
      LOG.debug("pipeline {}: warming the standby consumer: {}", name(), e.toString());
      nextWarm = now + (e instanceof RetriableException ? WARM_RETRY_NANOS : WARM_EVERY_NANOS);
    }
  }

  /**
   * One step of the warming fetch, bounded by {@link #WARM_POLL}: the records are dropped, and the
   * consumer is unassigned again once some arrived or the steps ran out (the last offset before the
   * stable end can be a transaction marker, which a {@code read_committed} fetch never returns).
   */
  private void continueWarmFetch(KafkaConsumer<byte[], byte[]> consumer) {
    boolean done;
    try {
      done = !consumer.poll(WARM_POLL).isEmpty() || --warmPollsLeft == 0;
    } catch (KafkaException e) {
      LOG.debug("pipeline {}: the standby consumer's warming fetch: {}", name(), e.toString());
      done = true;
    }
    if (done) {
      warmPollsLeft = 0;
      consumer.unsubscribe();
    }
  }

  /** The partitions of the pipeline's topics, each topic's looked up with {@code lookup}. */
  private List<TopicPartition> partitionsOf(Function<String, List<PartitionInfo>> lookup) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : settings.topics()) {
      List<PartitionInfo> found = lookup.apply(topic);
      if (found != null) {
        found.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
    }
    return partitions;
  }

  private Clients newClients() {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            ClientProperties.producer(settings, memberId, transactionalId()),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    try {
      return new Clients(
          new KafkaConsumer<>(
              ClientProperties.consumer(settings, memberId),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer()),
          producer);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  private static void close(Clients clients) {
    clients.consumer().close(CloseOptions.timeout(Duration.ZERO));
    clients.producer().close(Duration.ZERO);
  }

  private Term openTerm(Lease lease) {
    boolean transactional = settings.guarantee() == Guarantee.EXACTLY_ONCE;
    Clients clients = standby != null ? standby : newClients();
    standby = null;
    KafkaConsumer<byte[], byte[]> consumer = clients.consumer();
    if (warmPollsLeft > 0) {
      warmPollsLeft = 0;
      consumer.unsubscribe(); // a warming fetch was under way: its records are not the term's
    }
    KafkaProducer<byte[], byte[]> producer = clients.producer();
    List<TopicPartition> partitions;
    long began = System.nanoTime();
    long fenced;
    try {
      if (transactional) {
        producer.initTransactions(); // fences the previous term's producer
      }
      fenced = System.nanoTime();
      partitions = partitionsOf(consumer::partitionsFor);
      consumer.assign(partitions);
      rewindToCommitted(consumer, () -> running && lease.isValid());
    } catch (RuntimeException e) {
      close(clients);
      throw e;
    }
    long session = settings.pipekeeper().negotiatedSessionTimeout().toNanos();
    if (session > 0) {
      fenceGraceNanos = session;
    }
    Term opened = new Term(lease, consumer, producer, Role.leader(lease), Set.copyOf(partitions));
    term = opened;
    LOG.info(
        "pipeline {}: {} leads with epoch {}, consuming {} partitions (initTransactions {} ms,"
            + " partitions and committed offsets {} ms)",
        name(),
        memberId,
        lease.epoch(),
        consumer.assignment().size(),
        TimeUnit.NANOSECONDS.toMillis(fenced - began),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fenced));
    return opened;
  }

  private void endTerm(Term ending, String why) {
    if (ending == null) {
      return;
    }
    term = null;
    clearLag(); // a follower consumes nothing
    try {
      ending.consumer().close(CloseOptions.timeout(Duration.ZERO));
    } catch (RuntimeException e) {
      LOG.debug("pipeline {}: closing the consumer: {}", name(), e.toString());
    }
    // Closing a transactional producer aborts a transaction still open.
    ending.producer().close(Duration.ZERO);
    LOG.info("pipeline {}: term of epoch {} ended: {}", name(), ending.lease().epoch(), why);
  }

  /**
   * One batch under the term's lease, checked before each record and before the commit. The
   * consumer is in no group generation (assigned, not subscribed): fencing is the transactional
   * id's. A lease that ended mid-batch ends the term, whose producer's close aborts the
   * transaction.
   */
  private void processBatch(Term current, ConsumerRecords<byte[], byte[]> records) {
    BooleanSupplier owned = current.lease()::isValid;
    try {
      commitBatch(
          current.producer(),
          transactionalId(),
          sends,
          owned,
          () ->
              BatchTransaction.offsets(
                  current.consumer(),
                  handleAll(records, current.producer(), sends, current.role(), owned)));
      processed.addAndGet(records.count());
    } catch (OwnershipEnded ended) {
      endTerm(current, "lease of epoch " + current.lease().epoch() + " ended mid-batch");
    } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
      fencedLease = current.lease();
      fencedAt = System.nanoTime();
      endTerm(current, "fenced by a newer leader in Kafka");
    } catch (KafkaException e) {
      LOG.warn(
          "pipeline {}: batch of {} records not committed, consuming it again: {}",
          name(),
          records.count(),
          e.toString());
      try {
        rewindToCommitted(current.consumer(), owned);
      } catch (org.apache.kafka.common.errors.TimeoutException ended) {
        endTerm(current, "lease of epoch " + current.lease().epoch() + " ended while rewinding");
      }
    }
  }

  // ---- lifecycle ----

  @Override
  public Set<TopicPartition> partitions() {
    Term current = term;
    return current == null ? Set.of() : current.partitions(); // the consumer is single-threaded
  }

  @Override
  long leaseEpoch() {
    Term current = term;
    return current != null && current.lease().isValid() ? current.lease().epoch() : 0;
  }

  /** Whether this instance leads now (holds a valid lease). */
  boolean isLeading() {
    return leadership != null && leadership.currentLease().isPresent();
  }

  @Override
  public void close() {
    if (!beginClose()) {
      return;
    }
    if (thread != null) {
      running = false;
      Term current = term;
      if (current != null) {
        current.consumer().wakeup();
      }
      awaitStopped(loopEnded);
    }
    if (leadership != null) {
      leadership.close(); // the successor may start while the term's clients close
    }
    if (thread != null) {
      awaitStopped(stopped);
    }
    releaseZooKeeper();
    LOG.info("pipeline {} closed after {} records", name(), processed.get());
  }

  private void releaseZooKeeper() {
    if (leadership != null) {
      leadership.close();
    }
    if (config != null) {
      config.close();
    }
    if (member != null) {
      member.close();
    }
  }
}
