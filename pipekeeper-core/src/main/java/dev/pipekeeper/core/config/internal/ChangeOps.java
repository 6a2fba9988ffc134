package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.ExtraWrite;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Json;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.text.NumberFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.PathUtils;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.ACL;

/**
 * The parts every change of config is made of, shared by the value writer ({@link ConfigWriter}),
 * the schema writer ({@link SchemaWriter}) and {@link SecretMarkers#reveal}: the scope's commit
 * node, a key's history entries, the parent folders they need, the check that a multi-op fits in
 * one ZooKeeper request, and the refusal of numbers that are not finite.
 */
final class ChangeOps {
  /**
   * What a change's request leaves free of {@code jute.maxbuffer}: the transaction the server logs
   * and sends to its followers is a little larger than the request (a header, a digest, the
   * sequence numbers of sequential nodes, a few bytes per operation).
   */
  static final int REQUEST_MARGIN_BYTES = 8 * 1024;

  private final java.util.Set<String> existingParents =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Session session;
  private final int historyLimit;

  ChangeOps(Session session, int historyLimit) {
    this.session = session;
    this.historyLimit = historyLimit;
  }

  private CuratorFramework client() {
    return session.client();
  }

  /**
   * Forgets which parents exist, after a multi-op failed in a way a deleted parent would explain:
   * they are checked again next time.
   */
  void forgetParents() {
    existingParents.clear();
  }

  /**
   * Refuses a multi-op larger than one ZooKeeper request may be: a server drops the connection of a
   * client that sends more than its {@code jute.maxbuffer}, and the client's retries are dropped
   * again (while its leases are suspended). The size is the request's own serialization (its
   * operations with their paths, data and ACLs, the chroot each path gets, the headers), against
   * the client's configured {@code jute.maxbuffer} less {@link #REQUEST_MARGIN_BYTES}.
   *
   * @throws InvalidInputException saying how large the change is and what the limit is
   */
  void checkRequestSize(Scope scope, List<CuratorOp> ops) throws Exception {
    ZKClientConfig clientConfig = client().getZookeeperClient().getZooKeeper().getClientConfig();
    int maxBuffer =
        clientConfig == null
            ? ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT
            : clientConfig.getInt(
                ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
    long limit = (long) maxBuffer - REQUEST_MARGIN_BYTES;
    long size = requestSize(ops.stream().map(CuratorOp::get).toList(), chrootBytes());
    if (size > limit) {
      NumberFormat bytes = NumberFormat.getIntegerInstance(Locale.ROOT);
      throw new InvalidInputException(
          "config "
              + scope
              + ": the change is "
              + bytes.format(size)
              + " bytes as one ZooKeeper transaction (each value is written with its history entry,"
              + " which holds the old and the new value), over the "
              + bytes.format(limit)
              + " bytes one ZooKeeper request may carry (jute.maxbuffer "
              + bytes.format(maxBuffer)
              + " less "
              + bytes.format(REQUEST_MARGIN_BYTES)
              + " for what the server adds); nothing was written: change fewer keys at a time, or"
              + " make the values smaller");
    }
  }

  /** The length in bytes of the chroot the connect string gives every path (0: none). */
  private int chrootBytes() {
    String chroot = new ConnectStringParser(session.connectString()).getChrootPath();
    return chroot == null ? 0 : chroot.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  /**
   * The bytes a multi request of {@code ops} takes on the wire: its length prefix, its request
   * header (xid and type) and the serialized operations, each path longer by {@code chrootBytes}.
   */
  static long requestSize(List<Op> ops, int chrootBytes) {
    return dev.pipekeeper.core.MultiRequests.size(ops, chrootBytes);
  }

  /**
   * Refuses a value (or schema) holding a number that is not finite: JSON has none, and Jackson
   * would write {@code Infinity} or {@code NaN} as a string, which every reader then takes for a
   * string. Decimals beyond the range of a double count too: readers see them as infinite.
   *
   * @param what how the message names the value, e.g. "config global num: the value"
   * @throws InvalidInputException saying where the number is
   */
  static void refuseNonFinite(String what, JsonNode value) {
    String[] found = nonFinite(value, "");
    if (found != null) {
      throw new InvalidInputException(
          what
              + (found[1].isEmpty()
                  ? " is not a finite number (" + found[0]
                  : " holds a number that is not a finite number (" + found[0] + " at " + found[1])
              + "); JSON numbers must be finite (at most "
              + Double.MAX_VALUE
              + " either way)");
    }
  }

  /** The first non-finite number in {@code node} and where it is (a JSON pointer), or null. */
  private static String[] nonFinite(JsonNode node, String pointer) {
    if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      String number =
          node.isBigDecimal()
              ? node.decimalValue() + ", beyond the range of a double"
              : String.valueOf(node.doubleValue());
      return new String[] {number, pointer};
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String[] found =
            nonFinite(
                field.getValue(),
                pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1"));
        if (found != null) {
          return found;
        }
      }
    } else if (node.isArray()) {
      Iterator<JsonNode> elements = node.elements();
      for (int i = 0; elements.hasNext(); i++) {
        String[] found = nonFinite(elements.next(), pointer + "/" + i);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /**
   * The one way a change is recorded in a key's history: the sequential entry, and in the same
   * multi-op the deletion of the oldest entries it pushes over the limit (no second write, and a
   * key's history is never over its limit). {@code entries} are the key's entries in order, as read
   * before the change; {@code acl} is the entry's (a secret's, see {@code NodeAcls}). Returns the
   * entries it deletes.
   */
  List<String> historyOps(
      List<CuratorOp> ops,
      Scope scope,
      String key,
      List<String> entries,
      List<ACL> acl,
      HistoryRecord record)
      throws Exception {
    String history = ZkLayout.configHistory(scope.path(), key);
    ensureParent(history + "/" + ZkLayout.CONFIG_HISTORY_PREFIX);
    List<String> expired = entries.subList(0, Math.max(0, entries.size() + 1 - historyLimit));
    for (String name : expired) {
      ops.add(client().transactionOp().delete().forPath(history + "/" + name));
    }
    ops.add(
        client()
            .transactionOp()
            .create()
            .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
            .withACL(acl)
            .forPath(history + "/" + ZkLayout.CONFIG_HISTORY_PREFIX, Json.write(record)));
    return expired;
  }

  /**
   * The one way a change of a scope writes its commit node: created at the scope's first change,
   * else set at the version the change was based on ({@code commitVersion}, -1 if there is none),
   * so that concurrent changes of the scope conflict.
   */
  CuratorOp commitOp(Scope scope, int commitVersion, CommitRecord record) throws Exception {
    String commitPath = ZkLayout.configCommit(scope.path());
    byte[] commit = Json.write(record);
    ensureParent(commitPath);
    return commitVersion < 0
        ? client().transactionOp().create().forPath(commitPath, commit)
        : client().transactionOp().setData().withVersion(commitVersion).forPath(commitPath, commit);
  }

  /**
   * Refuses extra writes ({@link dev.pipekeeper.core.config.Configuration#commit}) whose path is
   * not a valid absolute path or lies in the cluster's tree (written by Pipekeeper's primitives
   * only), or that name a path twice.
   *
   * @throws InvalidInputException naming the path
   */
  void checkExtra(List<ExtraWrite> extra) {
    String root = "/" + client().getNamespace();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ExtraWrite write : extra) {
      String path = write.path();
      try {
        PathUtils.validatePath(path);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(
            "extra write " + path + ": not a valid ZooKeeper path (" + e.getMessage() + ")");
      }
      if (path.equals("/") || path.equals(root) || path.startsWith(root + "/")) {
        throw new InvalidInputException(
            "extra write "
                + path
                + ": must lie outside the cluster's tree "
                + root
                + " (and not be /), which only Pipekeeper's primitives write");
      }
      if (write.expectedVersion() < -1) {
        throw new InvalidInputException(
            "extra write "
                + path
                + ": expected version "
                + write.expectedVersion()
                + " (-1 or more)");
      }
      if (!seen.add(path)) {
        throw new InvalidInputException("extra write " + path + ": given twice");
      }
    }
  }

  /**
   * The operations of extra writes, on paths outside the client's namespace: a create with the
   * connection's node ACL, or a set at the expected version.
   */
  List<CuratorOp> extraOps(List<ExtraWrite> extra) throws Exception {
    CuratorFramework raw = client().usingNamespace(null);
    List<CuratorOp> ops = new java.util.ArrayList<>();
    for (ExtraWrite write : extra) {
      ops.add(
          write.expectedVersion() < 0
              ? raw.transactionOp()
                  .create()
                  .withMode(CreateMode.PERSISTENT)
                  .withACL(session.acls().node())
                  .forPath(write.path(), write.data())
              : raw.transactionOp()
                  .setData()
                  .withVersion(write.expectedVersion())
                  .forPath(write.path(), write.data()));
    }
    return ops;
  }

  /** The conflict a failed multi-op means: of an extra node (named) or of the scope. */
  static ConfigConflictException conflict(
      Scope scope, int scopeVersion, KeeperException e, int firstExtra, List<ExtraWrite> extras) {
    int failed = failedOp(e);
    if (failed >= firstExtra && failed < firstExtra + extras.size()) {
      ExtraWrite extra = extras.get(failed - firstExtra);
      return new ConfigConflictException(
          "config scope "
              + scope
              + ": the node "
              + extra.path()
              + " written with the change is not at the expected version "
              + (extra.expectedVersion() < 0 ? "(absent)" : extra.expectedVersion())
              + " ("
              + e.code()
              + "); nothing was written");
    }
    return new ConfigConflictException(
        "config scope "
            + scope
            + " changed while this change was written (it was at version "
            + scopeVersion
            + "); nothing was written: read it again and retry");
  }

  /**
   * Writes {@code ops} (a commit's extra writes, whose keys all stay as they are) with a check that
   * the scope's commit node is still at {@code commitVersion} (-1: there is none yet).
   */
  void writeExtrasAlone(
      Scope scope, int commitVersion, List<CuratorOp> ops, List<ExtraWrite> extras)
      throws Exception {
    List<CuratorOp> all = new java.util.ArrayList<>(ops);
    if (commitVersion >= 0) {
      all.add(
          client()
              .transactionOp()
              .check()
              .withVersion(commitVersion)
              .forPath(ZkLayout.configCommit(scope.path())));
    }
    checkRequestSize(scope, all);
    try {
      client().transaction().forOperations(all);
    } catch (KeeperException.BadVersionException
        | KeeperException.NodeExistsException
        | KeeperException.NoNodeException e) {
      throw conflict(scope, commitVersion + 1, e, 0, extras);
    }
  }

  /** The index of the operation a failed multi-op failed on, -1 if it does not say. */
  static int failedOp(KeeperException e) {
    List<OpResult> results = e.getResults();
    if (results == null) {
      return -1;
    }
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) instanceof OpResult.ErrorResult error
          && error.getErr() != KeeperException.Code.OK.intValue()
          && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
        return i;
      }
    }
    return -1;
  }

  /** Creates the parent of {@code path} if needed; parents known to exist cost nothing. */
  void ensureParent(String path) throws Exception {
    ensureFolder(path.substring(0, path.lastIndexOf('/')));
  }

  /** Creates {@code parent} if needed; folders known to exist cost nothing. */
  void ensureFolder(String parent) throws Exception {
    if (existingParents.contains(parent)) {
      return;
    }
    if (client().checkExists().forPath(parent) == null) {
      try {
        client().create().creatingParentsIfNeeded().forPath(parent);
      } catch (KeeperException.NodeExistsException raced) {
        // another writer made it first
      }
    }
    // Parents are persistent and never deleted by Pipekeeper; should an operator delete one,
    // the multi-op fails with NoNode and the writer is told to retry, which re-creates it.
    if (existingParents.size() > 10_000) {
      existingParents.clear();
    }
    existingParents.add(parent);
  }
}
