package dev.pipekeeper.core.config.internal;

import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.internal.EphemeralRecord;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applied-config records of one connection's members: one ephemeral node per member id ({@link
 * ZkLayout#configApplied}), shared by all of that member's views (a member running two pipelines,
 * or a pipeline and a streams member, on one connection has one view per pipeline). Each view
 * reports its part; the record says, per scope, the version every view holding that scope has
 * applied (the lowest of theirs), and the union of their last-known-good keys. It is written only
 * when that changes, so its time is when the member last applied a change. The node is created with
 * the member's first view and removed with its last. Thread-safe.
 */
final class Acknowledgements {
  private static final Logger LOG = LoggerFactory.getLogger(Acknowledgements.class);

  private final Session session;
  private final Map<String, Record> records = new HashMap<>(); // guarded by this

  Acknowledgements(Session session) {
    this.session = session;
  }

  /** A new part of {@code memberId}'s record, for one view; its node starts with the first. */
  synchronized Part attach(String memberId) {
    Record record = records.get(memberId);
    if (record == null) {
      record = new Record(memberId);
      records.put(memberId, record);
      record.node.start();
    }
    Part part = new Part(record);
    synchronized (record) {
      record.parts.add(part);
    }
    return part;
  }

  private void detach(Part part) {
    Record record = part.record;
    boolean last;
    synchronized (this) { // locks in this order only: this, then a record
      synchronized (record) {
        record.parts.remove(part);
        last = record.parts.isEmpty();
        if (last) {
          records.remove(record.memberId);
        }
      }
    }
    if (last) {
      record.node.release();
    } else {
      record.write();
    }
  }

  /** One view's part of its member's record. */
  final class Part {
    private final Record record;
    private Map<String, Integer> versions = Map.of(); // guarded by record
    private Set<String> lastKnownGood = Set.of(); // guarded by record
    private boolean detached; // guarded by record

    private Part(Record record) {
      this.record = record;
    }

    /**
     * Reports what the view has applied: scope path → version, and its last-known-good keys as
     * {@code SCOPE KEY}. Blocks (at most the connection timeout) until the member's node was first
     * created.
     */
    void report(Map<String, Integer> versions, Set<String> lastKnownGood) {
      synchronized (record) {
        if (detached) {
          return;
        }
        this.versions = Map.copyOf(versions);
        this.lastKnownGood = Set.copyOf(lastKnownGood);
        record.write();
      }
    }

    /** The view is closed: its part leaves the record, and the record with the last part. */
    void detach() {
      synchronized (record) {
        if (detached) {
          return;
        }
        detached = true;
      }
      Acknowledgements.this.detach(this);
    }
  }

  private final class Record {
    private final String memberId;
    private final EphemeralRecord node;
    private final Set<Part> parts = new LinkedHashSet<>(); // guarded by this
    private Map<String, Integer> writtenVersions = Map.of(); // guarded by this
    private List<String> writtenLastKnownGood = List.of(); // guarded by this

    Record(String memberId) {
      this.memberId = memberId;
      this.node =
          new EphemeralRecord(
              session,
              ZkLayout.configApplied(memberId),
              encode(Map.of(), List.of()),
              "applied config of " + memberId);
    }

    /** Writes the merged parts if they differ from what was last written. */
    synchronized void write() {
      Map<String, Integer> versions = new TreeMap<>();
      Set<String> lastKnownGood = new TreeSet<>();
      for (Part part : parts) {
        part.versions.forEach((scope, version) -> versions.merge(scope, version, Math::min));
        lastKnownGood.addAll(part.lastKnownGood);
      }
      List<String> ids = new ArrayList<>(lastKnownGood);
      if (Objects.equals(versions, writtenVersions) && ids.equals(writtenLastKnownGood)) {
        return;
      }
      try {
        // Changes can be applied before the node's first create is through, and
        // PersistentNode refuses data changes until then.
        if (!node.awaitCreated(session.connectionTimeout())) {
          LOG.warn("could not acknowledge applied config of {}: not registered in time", memberId);
          return;
        }
        LOG.debug("config: acknowledging {} as {}", versions, memberId);
        node.setData(encode(versions, ids));
        writtenVersions = Map.copyOf(versions);
        writtenLastKnownGood = List.copyOf(ids);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        LOG.warn("could not acknowledge applied config of {}: {}", memberId, e.toString());
      }
    }

    private byte[] encode(Map<String, Integer> versions, List<String> lastKnownGood) {
      return Json.write(new AppliedConfig(memberId, versions, lastKnownGood, Instant.now()));
    }
  }
}
