package dev.pipekeeper.core.membership.internal;

import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.membership.MemberRecord;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Member nodes to and from JSON; a malformed node is skipped with one log line. */
public final class MemberCodec {
  private static final Logger LOG = LoggerFactory.getLogger(MemberCodec.class);

  private MemberCodec() {}

  static byte[] encode(MemberRecord record) {
    return Json.write(record);
  }

  public static Optional<MemberRecord> decode(String path, byte[] data) {
    try {
      MemberRecord record = Json.read(data, MemberRecord.class);
      if (record.id() == null || record.state() == null) {
        throw new IOException("missing id or state");
      }
      return Optional.of(record);
    } catch (IOException e) {
      LOG.warn("skipping malformed member node {}: {}", path, e.getMessage());
      return Optional.empty();
    }
  }
}
