package dev.pipekeeper.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.locks.LockHandle;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import java.time.Duration;

/** What a writer of a secured cluster must be able to do, however it authenticated. */
final class WriterPrimitives {
  private WriterPrimitives() {}

  /** Joins, leads, locks and sets configuration as {@code writer}, each within {@code bound}. */
  static void exercise(Pipekeeper writer, Duration bound) throws Exception {
    Member member = writer.membership().join("orders", MemberInfo.defaults());
    assertThat(writer.membership().members("orders")).hasSize(1);
    member.close();
    Leadership leadership = writer.leadership("nightly").start();
    try {
      assertThat(leadership.awaitLease(bound)).isPresent();
    } finally {
      leadership.close();
    }
    try (LockHandle lock = writer.locks().mutex("compaction").acquire(bound)) {
      assertThat(lock).isNotNull();
    }
    ObjectMapper json = new ObjectMapper();
    writer
        .config()
        .set(Scope.global(), "batch.size", json.readTree("100"), ChangeOptions.by("writer"));
    assertThat(writer.config().get(Scope.global(), "batch.size").orElseThrow().value())
        .isEqualTo(json.readTree("100"));
  }
}
