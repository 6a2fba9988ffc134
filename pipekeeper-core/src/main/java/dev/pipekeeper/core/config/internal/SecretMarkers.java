package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.NotAuthorizedException;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret markers of {@link Secrets}' rule: {@code config-secret/KEY}, one per key name, for
 * every scope. A {@code writeOnly} schema, set or replaced, leaves one (created before the schema's
 * multi-op, which checks that it is still there, so no such schema is ever stored without one, and
 * installing the same schema from several instances at once converges); only {@link #reveal}
 * removes it, recording that in the key's history.
 */
final class SecretMarkers {
  private static final Logger LOG = LoggerFactory.getLogger(SecretMarkers.class);

  /** What a marker holds: which scope's schema first made the key secret, and when. */
  record Marker(String scope, Instant at) {}

  private final Session session;
  private final ConfigReader reader;
  private final ChangeOps changeOps;
  private final Function<String, List<Scope>> scopesUnder;

  /**
   * @param scopesUnder the scopes with a folder under a root ({@code config-schema} here), see
   *     {@link DefaultConfiguration#scopesUnder}
   */
  SecretMarkers(
      Session session,
      ConfigReader reader,
      ChangeOps changeOps,
      Function<String, List<Scope>> scopesUnder) {
    this.session = session;
    this.reader = reader;
    this.changeOps = changeOps;
    this.scopesUnder = scopesUnder;
  }

  private CuratorFramework client() {
    return session.client();
  }

  /**
   * The part of the rule that needs no marker: a writeOnly schema in the scope or in global (the
   * marker is read by {@link ConfigReader#isSecret}).
   */
  static boolean isSecretBySchema(
      Scope scope,
      String key,
      java.util.function.BiFunction<Scope, String, Optional<JsonNode>> of) {
    if (Secrets.isSecret(of.apply(scope, key).orElse(null))) {
      return true;
    }
    return scope.kind() != Scope.Kind.GLOBAL
        && Secrets.isSecret(of.apply(Scope.global(), key).orElse(null));
  }

  /**
   * For a schema change of {@code key} to {@code schema} (null: deleted): if the new or the current
   * schema is {@code writeOnly}, makes sure the key's marker exists and returns the check that it
   * still does, for the change's multi-op; else empty.
   */
  Optional<CuratorOp> forSchemaChange(Scope scope, String key, JsonNode schema) throws Exception {
    if (!Secrets.isSecret(schema) && !Secrets.isSecret(reader.schema(scope, key).orElse(null))) {
      return Optional.empty();
    }
    if (Secrets.isSecret(schema)) {
      // what was stored before the key became secret is closed first, so that no writeOnly
      // schema (nor its marker) is ever stored over values that readers can still read
      keyAcls(key, session.acls().secret(), "made secret");
    }
    String path = ZkLayout.configSecret(key);
    if (client().checkExists().forPath(path) == null) {
      try {
        client()
            .create()
            .creatingParentsIfNeeded()
            .forPath(path, Json.write(new Marker(scope.path(), Instant.now())));
        LOG.info("config {} is secret in every scope from now on ({}'s schema)", key, scope);
      } catch (KeeperException.NodeExistsException raced) {
        // another writer marked it first: the same outcome
      }
    }
    return Optional.of(client().transactionOp().check().forPath(path));
  }

  /**
   * Gives every stored value of {@code key} (in each scope) and each of its history entries the ACL
   * {@code acl}: a key made secret has what was stored before closed at once, a revealed one has it
   * opened to the model's node ACL again. Nothing without an ACL model. A node whose ACL this
   * connection may not read is left (the model's secret ACL withholds READ from writers: such a
   * node is closed already; {@code acl show} as an admin reports any other).
   *
   * @throws NotAuthorizedException if an ACL must change and this connection may not change ACLs
   *     (only admins may): then nothing else was written
   */
  private void keyAcls(String key, List<ACL> acl, String why) throws Exception {
    if (!session.acls().modelled()) {
      return;
    }
    List<String> paths = new ArrayList<>();
    for (Scope scope : scopesUnder.apply(ZkLayout.CONFIG)) {
      paths.add(ZkLayout.configKey(scope.path(), key));
    }
    for (Scope scope : scopesUnder.apply(ZkLayout.CONFIG_HISTORY)) {
      String history = ZkLayout.configHistory(scope.path(), key);
      try {
        for (String entry : client().getChildren().forPath(history)) {
          if (entry.startsWith(ZkLayout.CONFIG_HISTORY_PREFIX)) {
            paths.add(history + "/" + entry);
          }
        }
      } catch (KeeperException.NoNodeException none) {
        // no history of the key in this scope
      }
    }
    Set<ACL> wanted = new HashSet<>(acl);
    int changed = 0;
    for (String path : paths) {
      Stat stat = new Stat();
      List<ACL> current;
      try {
        current = client().getACL().storingStatIn(stat).forPath(path);
      } catch (KeeperException.NoNodeException | KeeperException.NoAuthException left) {
        continue;
      }
      if (new HashSet<>(current).equals(wanted)) {
        continue;
      }
      try {
        client().setACL().withVersion(stat.getAversion()).withACL(acl).forPath(path);
        changed++;
      } catch (KeeperException.NoNodeException gone) {
        // deleted meanwhile
      } catch (KeeperException.NoAuthException e) {
        throw new NotAuthorizedException(
            "config "
                + key
                + " cannot be "
                + why
                + " by this connection: its value or history at "
                + path
                + " must get the model's "
                + (why.equals("revealed") ? "node" : "secret")
                + " ACL, and only admins may change ACLs; "
                + (changed == 0
                    ? "nothing was written"
                    : changed + " node(s) already have it, nothing else was written")
                + " (connect as an admin, or run `pipekeeper acl apply` as one)",
            path,
            e);
      }
    }
    if (changed > 0) {
      LOG.info(
          "config {} {}: the ACL of {} stored value(s) and history entries changed",
          key,
          why,
          changed);
    }
  }

  /** See {@link dev.pipekeeper.core.config.Configuration#reveal}. */
  ConfigCommit reveal(Scope scope, String key, ChangeOptions options) {
    ConfigKeys.check(key);
    session.awaitConnected(session.connectionTimeout());
    String marker = ZkLayout.configSecret(key);
    List<CuratorOp> ops = new ArrayList<>();
    try {
      // Every scope's schemas: none may still mark the key, and none may change until the marker
      // is gone (the check of each scope's schemas' folder version, which every schema change
      // bumps), or a writeOnly schema could be left without its marker.
      List<String> still = new ArrayList<>();
      for (Scope schemaScope : scopesUnder.apply(ZkLayout.CONFIG_SCHEMA)) {
        String folder = ZkLayout.configSchemas(schemaScope.path());
        Stat folderStat = client().checkExists().forPath(folder);
        if (folderStat == null) {
          continue;
        }
        ops.add(
            client().transactionOp().check().withVersion(folderStat.getVersion()).forPath(folder));
        if (Secrets.isSecret(reader.schema(schemaScope, key).orElse(null))) {
          still.add(schemaScope.path());
        }
      }
      if (!still.isEmpty()) {
        throw new InvalidInputException(
            "config "
                + key
                + " stays secret: its schema in "
                + String.join(", ", still)
                + " has \"writeOnly\": true; delete that schema or set one without writeOnly"
                + " first");
      }
      Stat markerStat = client().checkExists().forPath(marker);
      if (markerStat == null) {
        throw new InvalidInputException("config " + key + " is not secret: nothing to reveal");
      }
      ops.add(
          0,
          client().transactionOp().delete().withVersion(markerStat.getVersion()).forPath(marker));

      // The history entry: the value as it is (unchanged by this), checked to be so.
      Stat keyStat = new Stat();
      JsonNode value = null;
      String keyPath = ZkLayout.configKey(scope.path(), key);
      try {
        value = ConfigReader.parseOrRaw(client().getData().storingStatIn(keyStat).forPath(keyPath));
        ops.add(
            client().transactionOp().check().withVersion(keyStat.getVersion()).forPath(keyPath));
      } catch (KeeperException.NoNodeException unset) {
        // recorded as unset
      }
      // A change of the scope like any other (its commit node, compare-and-set), so every
      // writer's knowledge of the scope's history is checked again, and views acknowledge it.
      String comment =
          "secret revealed" + (options.comment().isEmpty() ? "" : ": " + options.comment());
      Stat commit = client().checkExists().forPath(ZkLayout.configCommit(scope.path()));
      int commitVersion = commit == null ? -1 : commit.getVersion();
      ops.add(
          changeOps.commitOp(
              scope,
              commitVersion,
              new CommitRecord(options.who(), Instant.now(), List.of(key), comment)));
      int scopeVersion = commitVersion + 2;
      String history = ZkLayout.configHistory(scope.path(), key);
      List<String> entries = new ArrayList<>();
      try {
        entries.addAll(client().getChildren().forPath(history));
      } catch (KeeperException.NoNodeException none) {
        // no history yet
      }
      entries.sort(null);
      changeOps.historyOps(
          ops,
          scope,
          key,
          entries,
          session.acls().node(),
          new HistoryRecord(options.who(), Instant.now(), value, value, comment, scopeVersion));
      client().transaction().forOperations(ops);
      keyAcls(key, session.acls().node(), "revealed");
      LOG.info(
          "config {} is no longer secret: revealed by {} (recorded in the history of {} {}){}",
          key,
          options.who(),
          scope,
          key,
          options.comment().isEmpty() ? "" : " (" + options.comment() + ")");
      return new ConfigCommit(scope, scopeVersion, List.of(key));
    } catch (KeeperException.BadVersionException
        | KeeperException.NoNodeException
        | KeeperException.NodeExistsException e) {
      throw new ConfigConflictException(
          "config "
              + key
              + ": its schemas, secrecy or value in "
              + scope
              + " changed while it was revealed; nothing was written: retry");
    } catch (InvalidInputException e) {
      throw e;
    } catch (Exception e) {
      throw session.failure("revealing config " + key, e);
    }
  }
}
