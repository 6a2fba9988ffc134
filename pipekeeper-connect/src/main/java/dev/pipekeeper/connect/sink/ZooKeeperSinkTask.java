package dev.pipekeeper.connect.sink;

import dev.pipekeeper.connect.ConnectorVersion;
import dev.pipekeeper.connect.sink.Applier.Fenced;
import dev.pipekeeper.connect.sink.CommandParser.Commands;
import dev.pipekeeper.connect.sink.CommandParser.Rejected;
import dev.pipekeeper.connect.sink.PartitionMarks.Mark;
import dev.pipekeeper.connect.zookeeper.ZooKeeperClients;
import dev.pipekeeper.connect.zookeeper.ZooKeeperConnection;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperBuilder;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the command records of its partitions to the connector's subtree, each once: a record's
 * commands and its partition's next offset are written in one ZooKeeper multi-op ({@link
 * PartitionMarks}), so a record redelivered after a restart or a rebalance is recognised by its
 * offset and skipped. When partitions are assigned ({@link #open}), their offsets nodes are read
 * and handed to Connect ({@link org.apache.kafka.connect.sink.SinkTaskContext#offset}), so
 * consumption resumes after the last applied record whatever Connect had committed; {@link
 * #preCommit} gives Connect the same offsets to commit.
 *
 * <p>A record refused (malformed, outside the subtree, too large, refused by a schema or an ACL)
 * goes to Connect's errant-record reporter (the dead-letter topic, with {@code
 * errors.tolerance=all}) with the reason in its {@value #REASON_HEADER} header; a compare-and-set
 * conflict is reported and not retried. Either way its offset is written, so it is reported once. A
 * record whose write was cut off (the connection, a session expiry) is retried by Connect ({@link
 * RetriableException}): the offsets node, read again, tells whether it was written.
 */
public final class ZooKeeperSinkTask extends SinkTask {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSinkTask.class);

  /** The header of a dead-letter record that says why it was refused. */
  public static final String REASON_HEADER = "pipekeeper.sink.reason";

  /** The header of a dead-letter record that says what it was: rejected. */
  public static final String OUTCOME_HEADER = "pipekeeper.sink.outcome";

  private static final long REPORT_WAIT_SECONDS = 60;

  private final Map<TopicPartition, Mark> marks = new HashMap<>();
  private ZooKeeperSinkConfig config;
  private CuratorFramework client;
  private PartitionMarks offsets;
  private CommandParser parser;
  private Applier applier;
  private ResultPublisher results;

  @Override
  public String version() {
    return ConnectorVersion.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new ZooKeeperSinkConfig(props);
    ZooKeeperConnection connection = config.connection();
    client = ZooKeeperClients.build(connection);
    client.start();
    try {
      if (!client.blockUntilConnected(
          (int) connection.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new RetriableException(
            "no ZooKeeper server of " + connection.connectString() + " answered");
      }
      offsets = new PartitionMarks(client, config.offsetsPath());
      offsets.ensureRoot();
      boolean configTree = config.configCluster().isPresent();
      if (configTree) {
        applier = new ConfigApplier(pipekeeper(connection), offsets, config.who());
      } else {
        if (client.checkExists().forPath(config.subtree()) == null) {
          try {
            client.create().creatingParentsIfNeeded().forPath(config.subtree());
          } catch (KeeperException.NodeExistsException raced) {
            // another task made it first
          }
        }
        applier = new TreeApplier(client, offsets, config.subtree());
      }
      parser =
          new CommandParser(
              config.subtree(),
              configTree,
              config.ephemeralAllowed(),
              config.maxCommandBytes(),
              config.maxBatchCommands());
      results =
          config
              .resultTopic()
              .map(
                  t ->
                      new ResultPublisher(
                          config.resultBootstrap(),
                          config.resultProducerSettings(),
                          t,
                          config.name() + "-results"))
              .orElse(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while starting", e);
    } catch (ConnectException e) {
      stop();
      throw e;
    } catch (Exception e) {
      stop();
      throw new ConnectException("the sink task cannot start: " + e.getMessage(), e);
    }
  }

  /** The Pipekeeper connection of a configuration tree, with the client file's security. */
  private Pipekeeper pipekeeper(ZooKeeperConnection connection) {
    PipekeeperBuilder builder =
        Pipekeeper.builder()
            .zookeeper(connection.connectString())
            .cluster(config.configCluster().orElseThrow())
            .identity(config.name())
            .sessionTimeout(connection.sessionTimeout())
            .connectionTimeout(connection.connectionTimeout())
            .createChroot(false);
    connection.clientFile().ifPresent(file -> file.applyTo(builder));
    return builder.build();
  }

  /** Reads the assigned partitions' offsets nodes and has Connect resume after them. */
  @Override
  public void open(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> resume = new HashMap<>();
    for (TopicPartition tp : partitions) {
      Mark mark = mark(tp);
      if (mark.version() >= 0) {
        resume.put(tp, mark.next());
      }
    }
    if (!resume.isEmpty()) {
      LOG.info("resuming from the offsets in {}: {}", config.offsetsPath(), resume);
      context.offset(resume);
    }
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    partitions.forEach(marks::remove);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    for (SinkRecord record : records) {
      Outcome outcome = handle(record);
      if (outcome.kind() != Outcome.Kind.APPLIED) {
        LOG.debug("{}: {} ({})", where(record), outcome.kind().word(), outcome.reason());
      }
      if (results != null) {
        results.publish(record, outcome);
      }
    }
  }

  private Outcome handle(SinkRecord record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.kafkaPartition());
    long offset = record.kafkaOffset();
    for (int attempt = 0; attempt < 3; attempt++) {
      Mark mark = mark(tp);
      if (offset < mark.next()) {
        return Outcome.skipped();
      }
      try {
        CommandParser.Parsed parsed = parser.parse(record.value());
        Outcome outcome =
            parsed instanceof Commands commands
                ? applier.apply(tp, offset, mark, commands.commands())
                : Outcome.rejected(((Rejected) parsed).reason(), List.of());
        if (outcome.kind() == Outcome.Kind.APPLIED) {
          marks.put(tp, mark.advancedTo(offset + 1));
          return outcome;
        }
        if (outcome.kind() == Outcome.Kind.REJECTED) {
          report(record, outcome.reason());
        }
        // nothing was written: the offset alone, so the record is reported once
        client.transaction().forOperations(List.of(offsets.op(tp, mark, offset + 1)));
        marks.put(tp, mark.advancedTo(offset + 1));
        return outcome;
      } catch (Fenced
          | KeeperException.BadVersionException
          | KeeperException.NodeExistsException e) {
        // another task wrote this partition's offsets node: read it again
        LOG.info(
            "{}: the offsets node moved ({}); reading it again", where(record), e.getMessage());
        marks.remove(tp);
      } catch (ConnectException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConnectException(where(record) + ": interrupted", e);
      } catch (Exception e) {
        marks.remove(tp); // whether it was written is not known: the offsets node will tell
        throw new RetriableException(where(record) + " not applied yet: " + e.getMessage(), e);
      }
    }
    throw new RetriableException(where(record) + ": its offsets node kept moving");
  }

  /** The mark of {@code tp}, read from ZooKeeper unless this task wrote it last. */
  private Mark mark(TopicPartition tp) {
    Mark mark = marks.get(tp);
    if (mark == null) {
      try {
        mark = offsets.read(tp);
      } catch (ConnectException e) {
        throw e;
      } catch (Exception e) {
        throw new RetriableException("cannot read " + offsets.path(tp) + ": " + e.getMessage(), e);
      }
      marks.put(tp, mark);
    }
    return mark;
  }

  /** Sends {@code record} to the errant-record reporter with its reason, and waits for it. */
  private void report(SinkRecord record, String reason) throws InterruptedException {
    ErrantRecordReporter reporter = context.errantRecordReporter();
    if (reporter == null) {
      throw new ConnectException(
          where(record)
              + " is refused ("
              + reason
              + ") and this worker has no errant-record reporter");
    }
    Headers headers = new ConnectHeaders();
    record.headers().forEach(headers::add);
    headers.addString(REASON_HEADER, reason);
    headers.addString(OUTCOME_HEADER, Outcome.Kind.REJECTED.word());
    // a plain copy (the worker's converters write it again), so that the reason header goes along
    SinkRecord withReason =
        new SinkRecord(
            record.topic(),
            record.kafkaPartition(),
            record.keySchema(),
            record.key(),
            record.valueSchema(),
            record.value(),
            record.kafkaOffset(),
            record.timestamp(),
            record.timestampType(),
            headers);
    try {
      reporter
          .report(withReason, new DataException(reason))
          .get(REPORT_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new ConnectException(
          where(record) + " could not be sent to the dead-letter topic: " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new RetriableException(where(record) + ": the dead-letter topic did not answer", e);
    }
  }

  /** The offsets Connect commits: what the offsets nodes say (this task wrote or read). */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    if (results != null) {
      results.flush();
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (TopicPartition tp : currentOffsets.keySet()) {
      Mark mark = marks.get(tp);
      if (mark != null && mark.version() >= 0) {
        commit.put(tp, new OffsetAndMetadata(mark.next()));
      }
    }
    return commit;
  }

  private static String where(SinkRecord record) {
    return "record " + record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
  }

  @Override
  public void stop() {
    if (results != null) {
      results.close();
      results = null;
    }
    if (applier != null) {
      applier.close();
      applier = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
