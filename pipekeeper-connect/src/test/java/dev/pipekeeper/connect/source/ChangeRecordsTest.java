package dev.pipekeeper.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.connect.source.ChangeRecords.Change;
import dev.pipekeeper.connect.source.ZooKeeperSourceConfig.ValueFormat;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every kind of record converts with Connect's JsonConverter, with and without schemas. */
class ChangeRecordsTest {
  @ParameterizedTest
  @EnumSource(ValueFormat.class)
  void everyRecordConverts(ValueFormat format) {
    ChangeRecords records = new ChangeRecords("t", format);
    Stat stat = new Stat(5, 7, 1, 2, 3, 0, 0, 0, 2, 0, 7);
    Map<String, Object> partition = EmittedState.partition("/a", 1);
    Map<String, Object> offset = Map.of("format", "1", "nodes", "{}");
    byte[] data = "{\"k\": 1}".getBytes(StandardCharsets.UTF_8);
    SourceRecord created =
        records.present(partition, offset, "/a", "/a/b", Change.CREATED, data, stat, 3);
    SourceRecord empty =
        records.present(partition, offset, "/a", "/a/b", Change.CHANGED, new byte[0], stat, 0);
    SourceRecord deleted =
        records.deleted(partition, offset, "/a", "/a/b", new EmittedState.Node(5, 7, 3, true));
    SourceRecord tombstone = records.tombstone(partition, offset, "/a/b");
    for (boolean schemas : new boolean[] {true, false}) {
      JsonConverter converter = new JsonConverter();
      converter.configure(Map.of("schemas.enable", Boolean.toString(schemas)), false);
      for (SourceRecord record : new SourceRecord[] {created, empty, deleted, tombstone}) {
        converter.fromConnectData("t", record.valueSchema(), record.value());
      }
    }
    Struct value = (Struct) created.value();
    assertThat(value.getInt32(ChangeRecords.VERSIONS_SKIPPED)).isEqualTo(3);
    assertThat(created.headers().lastWithName(ChangeRecords.VERSIONS_SKIPPED_HEADER).value())
        .isEqualTo(3);
    assertThat(empty.headers().lastWithName(ChangeRecords.VERSIONS_SKIPPED_HEADER)).isNull();
    assertThat(tombstone.value()).isNull();
    if (format == ValueFormat.JSON) {
      assertThat(value.get(ChangeRecords.DATA)).isEqualTo("{\"k\":1}");
    }
  }
}
