package dev.pipekeeper.connect.audit;

import dev.pipekeeper.connect.ConnectorVersion;
import dev.pipekeeper.connect.source.ChangeRecords;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * The audit stream: a single message transform on the source connector's records of one cluster's
 * tree ({@code zookeeper.subtrees=/pipekeeper/CLUSTER}, {@code value.format=string} or {@code
 * json}) that replaces each with the typed event {@link AuditDecoder} decodes from it, keyed by the
 * event's subject ({@code member/GROUP/ID}, {@code role/ROLE}, {@code lock/NAME}, ...), its value a
 * JSON object without schema; a change that makes no event is dropped (its offset still commits).
 * The same connector with a decoder, not a second watcher. Per task: one decoder.
 *
 * <pre class="language-properties">
 * transforms=audit
 * transforms.audit.type=dev.pipekeeper.connect.audit.AuditTransformation
 * transforms.audit.cluster=payments
 * </pre>
 */
public final class AuditTransformation<R extends ConnectRecord<R>>
    implements Transformation<R>, Versioned {
  /** The cluster whose tree the records are of. */
  public static final String CLUSTER_CONFIG = "cluster";

  private static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              CLUSTER_CONFIG,
              ConfigDef.Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              (name, value) -> {
                try {
                  dev.pipekeeper.core.ClusterPath.root((String) value);
                } catch (RuntimeException e) {
                  throw new ConfigException(name, value, e.getMessage());
                }
              },
              ConfigDef.Importance.HIGH,
              "The Pipekeeper cluster whose tree (/pipekeeper/CLUSTER) the connector streams.");

  private AuditDecoder decoder;

  @Override
  public void configure(Map<String, ?> configs) {
    decoder = new AuditDecoder(new AbstractConfig(CONFIG_DEF, configs).getString(CLUSTER_CONFIG));
  }

  @Override
  public R apply(R record) {
    if (!(record.value() instanceof Struct value)) {
      return null; // a tombstone after a delete: the delete record made the event
    }
    Object data = value.get(ChangeRecords.DATA);
    if (data instanceof byte[]) {
      throw new ConfigException("the audit transform needs value.format=string or json, not bytes");
    }
    long time = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
    Optional<AuditDecoder.Event> event =
        decoder.decode(
            new AuditDecoder.Change(
                value.getString(ChangeRecords.PATH),
                value.getString(ChangeRecords.CHANGE),
                (String) data,
                value.getInt64(ChangeRecords.CZXID),
                value.getInt64(ChangeRecords.MZXID),
                time));
    if (event.isEmpty()) {
      return null;
    }
    return record.newRecord(
        record.topic(),
        null,
        Schema.STRING_SCHEMA,
        event.get().subject(),
        null,
        event.get().fields(),
        time);
  }

  @Override
  public ConfigDef config() {
    return CONFIG_DEF;
  }

  @Override
  public String version() {
    return ConnectorVersion.VERSION;
  }

  @Override
  public void close() {}
}
