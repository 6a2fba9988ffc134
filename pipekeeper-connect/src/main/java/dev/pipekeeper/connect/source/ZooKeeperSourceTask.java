package dev.pipekeeper.connect.source;

import dev.pipekeeper.connect.ConnectorVersion;
import dev.pipekeeper.connect.zookeeper.ZooKeeperClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * Streams the subtrees {@link ZooKeeperSourceConnector} gave it, one {@link SubtreeStream} each, on
 * one Curator client. Its state comes back from the committed offsets at start ({@link
 * EmittedState}). {@link #poll()} waits up to half a second for a change and returns null when
 * there is none.
 */
public final class ZooKeeperSourceTask extends SourceTask {
  private static final int MAX_PATHS_PER_POLL = 1_000;
  private static final long POLL_WAIT_MS = 500;

  private final Semaphore wake = new Semaphore(0);
  private final List<SubtreeStream> streams = new ArrayList<>();
  private CuratorFramework client;
  private volatile boolean stopping;

  @Override
  public String version() {
    return ConnectorVersion.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    ZooKeeperSourceConfig config = ZooKeeperSourceConfig.forTask(props);
    ChangeRecords records = new ChangeRecords(config.topic(), config.valueFormat());
    client = ZooKeeperClients.build(config.connection());
    client.start();
    for (String subtree : config.taskSubtrees()) {
      EmittedState state = EmittedState.load(subtree, context.offsetStorageReader());
      SubtreeStream stream = new SubtreeStream(client, state, records, wake::release);
      streams.add(stream);
      stream.start();
    }
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    List<SourceRecord> out = drain();
    if (!out.isEmpty() || stopping) {
      return out.isEmpty() ? null : out;
    }
    if (wake.tryAcquire(POLL_WAIT_MS, TimeUnit.MILLISECONDS)) {
      wake.drainPermits();
    }
    out = drain();
    return out.isEmpty() ? null : out;
  }

  private List<SourceRecord> drain() {
    List<SourceRecord> out = new ArrayList<>();
    for (SubtreeStream stream : streams) {
      if (stopping) {
        break;
      }
      stream.drain(out, MAX_PATHS_PER_POLL);
    }
    return out;
  }

  @Override
  public void stop() {
    stopping = true;
    wake.release();
    streams.forEach(SubtreeStream::close);
    if (client != null) {
      client.close();
    }
  }
}
