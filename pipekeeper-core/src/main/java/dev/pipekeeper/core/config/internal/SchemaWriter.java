package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * Writes the keys' JSON Schemas: checked against the draft 2020-12 meta-schema, stored only over a
 * current value that satisfies them, each change one multi-op that bumps the version of the scope's
 * schemas' folder (which every value write checks) and keeps the key's secret marker (see {@link
 * SecretMarkers}).
 */
final class SchemaWriter {
  private final Session session;
  private final ConfigReader reader;
  private final ChangeOps changeOps;
  private final SecretMarkers secrets;
  private final ConfigWriter values;

  SchemaWriter(
      Session session,
      ConfigReader reader,
      ChangeOps changeOps,
      SecretMarkers secrets,
      ConfigWriter values) {
    this.session = session;
    this.reader = reader;
    this.changeOps = changeOps;
    this.secrets = secrets;
    this.values = values;
  }

  private CuratorFramework client() {
    return session.client();
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#setSchema}. */
  void setSchema(Scope scope, String key, JsonNode schema) {
    ConfigKeys.check(key);
    checkSchema(scope, key, schema);
    installSchema(scope, key, schema);
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#ensureSchema}. */
  boolean ensureSchema(Scope scope, String key, JsonNode schema) {
    ConfigKeys.check(key);
    checkSchema(scope, key, schema);
    JsonNode wanted = ConfigReader.parseOrRaw(Json.write(schema)); // as it reads back once stored
    ConfigConflictException conflict = null;
    for (int attempt = 0; attempt < ConfigWriter.ENSURE_ATTEMPTS; attempt++) {
      if (reader.schema(scope, key).map(wanted::equals).orElse(false)) {
        return false;
      }
      try {
        installSchema(scope, key, schema);
        return true;
      } catch (ConfigConflictException e) {
        conflict = e; // another writer's change landed (maybe this very schema): look again
      }
    }
    throw conflict;
  }

  /**
   * Refuses what is not a valid JSON Schema (draft 2020-12, checked against its meta-schema).
   *
   * @throws InvalidInputException naming the key and the problems
   */
  private static void checkSchema(Scope scope, String key, JsonNode schema) {
    List<String> problems = SchemaCheck.schemaProblems(schema);
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "schema for " + scope + " " + key + " is not valid: " + String.join("; ", problems));
    }
    ChangeOps.refuseNonFinite("schema for " + scope + " " + key, schema);
  }

  /** Stores a checked schema if the key's current value satisfies it. */
  private void installSchema(Scope scope, String key, JsonNode schema) {
    Optional<ConfigEntry> current = reader.get(scope, key);
    if (current.isPresent()) {
      List<String> errors = SchemaCheck.errors(schema, current.get().value());
      if (!errors.isEmpty()) {
        throw new InvalidInputException(
            "schema for "
                + scope
                + " "
                + key
                + " refused: the current value does not match it: "
                + String.join("; ", errors));
      }
    }
    writeSchema(scope, key, Json.write(schema), current.map(ConfigEntry::version).orElse(-1));
  }

  /**
   * Writes or deletes ({@code bytes} null) a key's schema in one multi-op that also bumps the
   * version of the scope's schemas' folder, which config writes check; a schema is set only over
   * the key's version it was checked against ({@code keyVersion}, -1: unset then).
   */
  private void writeSchema(Scope scope, String key, byte[] bytes, int keyVersion) {
    String folder = ZkLayout.configSchemas(scope.path());
    String path = ZkLayout.configSchema(scope.path(), key);
    try {
      changeOps.ensureFolder(folder);
      boolean exists = client().checkExists().forPath(path) != null;
      if (bytes == null && !exists) {
        return; // nothing to delete
      }
      List<CuratorOp> ops = new ArrayList<>();
      // A writeOnly schema, set or replaced, leaves its key's secret marker (see SecretMarkers)
      secrets
          .forSchemaChange(scope, key, bytes == null ? null : Json.readTree(bytes))
          .ifPresent(ops::add);
      if (bytes == null) {
        ops.add(client().transactionOp().delete().forPath(path));
      } else {
        if (keyVersion >= 0) {
          ops.add(
              client()
                  .transactionOp()
                  .check()
                  .withVersion(keyVersion)
                  .forPath(ZkLayout.configKey(scope.path(), key)));
        }
        ops.add(
            exists
                ? client().transactionOp().setData().forPath(path, bytes)
                : client().transactionOp().create().forPath(path, bytes));
      }
      ops.add(client().transactionOp().setData().forPath(folder, new byte[0]));
      changeOps.checkRequestSize(scope, ops);
      client().transaction().forOperations(ops);
      values.forget(scope);
    } catch (InvalidInputException e) {
      throw e;
    } catch (KeeperException.BadVersionException
        | KeeperException.NodeExistsException
        | KeeperException.NoNodeException e) {
      changeOps.forgetParents();
      throw new ConfigConflictException(
          "the schema of "
              + scope
              + " "
              + key
              + " or its value changed while it was written; nothing was written: retry");
    } catch (Exception e) {
      throw session.failure(
          (bytes == null ? "deleting" : "writing") + " the schema of " + scope + " " + key, e);
    }
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#deleteSchema}. */
  void deleteSchema(Scope scope, String key) {
    ConfigKeys.check(key);
    writeSchema(scope, key, null, -1);
  }
}
