package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.kafka.PipelineHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The role a record is processed under, and the header that stamps it on every output record: none
 * for a PARALLEL member, the lease epoch for a SINGLETON leader, the unit's fencing token for a
 * SHARDED owner.
 */
record Role(Optional<Lease> lease, Optional<UnitOwnership> unit, List<Header> headers) {
  private static final Role MEMBER = new Role(Optional.empty(), Optional.empty(), List.of());

  /** A member of a PARALLEL pipeline: its output carries no stamp. */
  static Role member() {
    return MEMBER;
  }

  /** The leader of a SINGLETON pipeline under {@code lease}. */
  static Role leader(Lease lease) {
    return new Role(
        Optional.of(lease), Optional.empty(), stamp(PipelineHeaders.EPOCH, lease.epoch()));
  }

  /** The owner of a SHARDED pipeline's unit. */
  static Role owner(UnitOwnership unit) {
    return new Role(
        Optional.empty(), Optional.of(unit), stamp(PipelineHeaders.UNIT_TOKEN, unit.token()));
  }

  private static List<Header> stamp(String header, long value) {
    return List.of(new RecordHeader(header, Long.toString(value).getBytes(StandardCharsets.UTF_8)));
  }
}
