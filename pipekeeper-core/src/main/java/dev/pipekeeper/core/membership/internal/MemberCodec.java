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
      return Optional.of(parse(data));
    } catch (IOException e) {
      LOG.warn("skipping malformed member node {}: {}", path, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The record in {@code data}.
   *
   * @throws IOException naming what is wrong (not JSON, no id or state) without quoting the data
   */
  static MemberRecord parse(byte[] data) throws IOException {
    MemberRecord record;
    try {
      record = Json.read(data, MemberRecord.class);
    } catch (IOException e) {
      throw new IOException("not a valid member record (JSON)", e);
    }
    if (record == null || record.id() == null || record.state() == null) {
      throw new IOException("missing id or state");
    }
    return record;
  }
}
