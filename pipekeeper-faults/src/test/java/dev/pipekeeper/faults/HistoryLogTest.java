package dev.pipekeeper.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.faults.HistoryEvent.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryLogTest {
  @TempDir Path dir;

  @Test
  void aTornLineAndForeignLinesAreSkippedAndReportedAndARestartContinuesTheNumbering()
      throws Exception {
    try (HistoryLog log = HistoryLog.open(dir, "m1")) {
      log.record(Kind.GRANTED, "r", 1, 0);
      log.record(Kind.PUBLISHED, "g", 1, 1);
    }
    Path file = dir.resolve("m1" + HistoryLog.SUFFIX);
    // a kill -9 in the middle of a line, then someone else's line
    Files.writeString(file, "{\"process\":\"m1\",\"seq\":3,\"wal", StandardOpenOption.APPEND);
    try (HistoryLog log = HistoryLog.open(dir, "m1")) {
      log.record(Kind.REVOKED, "r", 1, 0);
    }
    Files.writeString(dir.resolve("m2" + HistoryLog.SUFFIX), "hello\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("notes.txt"), "not a history\n", StandardCharsets.UTF_8);

    History history = History.read(dir);
    assertThat(history.events())
        .extracting(HistoryEvent::process, HistoryEvent::seq, HistoryEvent::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("m1", 1L, Kind.GRANTED),
            org.assertj.core.groups.Tuple.tuple("m1", 2L, Kind.PUBLISHED),
            org.assertj.core.groups.Tuple.tuple("m1", 3L, Kind.REVOKED));
    assertThat(history.skipped())
        .hasSize(2)
        .anySatisfy(s -> assertThat(s).startsWith("m1.history.jsonl:3: not an event"))
        .anySatisfy(s -> assertThat(s).startsWith("m2.history.jsonl:1: not an event"));
    assertThat(HistoryChecker.check(history).passed()).isTrue();
  }
}
