package dev.pipekeeper.connect.sink;

import dev.pipekeeper.connect.sink.PartitionMarks.Mark;
import dev.pipekeeper.connect.sink.SinkCommand.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * Applies commands to a plain subtree: one Curator transaction of the commands (creates with their
 * missing parents inside the subtree, persistent unless asked), then the partition's mark. The
 * nodes get the ACL of the client's provider (the security model's).
 */
final class TreeApplier implements Applier {
  /** How often a create is tried again when a parent it creates appeared meanwhile. */
  private static final int PARENT_ATTEMPTS = 3;

  private final CuratorFramework client;
  private final PartitionMarks marks;
  private final String subtree;

  TreeApplier(CuratorFramework client, PartitionMarks marks, String subtree) {
    this.client = client;
    this.marks = marks;
    this.subtree = subtree;
  }

  @Override
  public Outcome apply(TopicPartition tp, long offset, Mark mark, List<SinkCommand> commands)
      throws Exception {
    List<String> described = commands.stream().map(SinkCommand::describe).toList();
    for (int attempt = 1; ; attempt++) {
      List<CuratorOp> ops = new ArrayList<>();
      List<Integer> owner = new ArrayList<>(); // per op: its command's index, -1 a parent's
      Set<String> created = new HashSet<>();
      for (int i = 0; i < commands.size(); i++) {
        add(commands.get(i), i, ops, owner, created);
      }
      int markOp = ops.size();
      ops.add(marks.op(tp, mark, offset + 1));
      String tooLarge = RequestSize.check(client, ops);
      if (tooLarge != null) {
        return Outcome.rejected(tooLarge, described);
      }
      try {
        client.transaction().forOperations(ops);
        return Outcome.applied(described);
      } catch (KeeperException e) {
        int failed = failedOp(e);
        if (failed == markOp) {
          if (conflict(e.code())) {
            throw new Fenced("offsets node " + marks.path(tp) + ": " + e.code());
          }
          throw new ConnectException(
              "the sink cannot write its offsets node " + marks.path(tp) + ": " + e.code(), e);
        }
        if (failed < 0 || !conflict(e.code()) && e.code() != Code.NOAUTH && !refused(e.code())) {
          throw e; // the connection, a session: not known whether it was written
        }
        if (owner.get(failed) < 0) {
          if (attempt < PARENT_ATTEMPTS) {
            continue; // a parent appeared (or went) meanwhile: look again
          }
          return Outcome.conflict(
              "a parent of a created node changed while it was written (" + e.code() + ")",
              described);
        }
        SinkCommand command = commands.get(owner.get(failed));
        String reason = reason(command, e.code(), commands.size() > 1);
        return conflict(e.code())
            ? Outcome.conflict(reason, described)
            : Outcome.rejected(reason, described);
      }
    }
  }

  private void add(
      SinkCommand command, int index, List<CuratorOp> ops, List<Integer> owner, Set<String> created)
      throws Exception {
    String path = command.path();
    switch (command.op()) {
      case CREATE -> {
        for (String parent : missingParents(path, created)) {
          ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(parent));
          owner.add(-1);
          created.add(parent);
        }
        CreateMode mode = command.ephemeral() ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT;
        ops.add(client.transactionOp().create().withMode(mode).forPath(path, command.data()));
        created.add(path);
      }
      case SET ->
          ops.add(
              client
                  .transactionOp()
                  .setData()
                  .withVersion(command.expectedVersion().orElse(-1))
                  .forPath(path, command.data()));
      case DELETE ->
          ops.add(
              client
                  .transactionOp()
                  .delete()
                  .withVersion(command.expectedVersion().orElse(-1))
                  .forPath(path));
    }
    owner.add(index);
  }

  /** The ancestors of {@code path} below the subtree's root that do not exist, from the top. */
  private List<String> missingParents(String path, Set<String> created) throws Exception {
    List<String> missing = new ArrayList<>();
    String parent = path.substring(0, path.lastIndexOf('/'));
    while (parent.length() > subtree.length() && !created.contains(parent)) {
      if (client.checkExists().forPath(parent) != null) {
        break;
      }
      missing.add(0, parent);
      parent = parent.substring(0, parent.lastIndexOf('/'));
    }
    return missing;
  }

  /** Why a command failed, with the node's state now, in one line. */
  private String reason(SinkCommand command, Code code, boolean batch) throws Exception {
    Stat stat = client.checkExists().forPath(command.path());
    String now = stat == null ? "it does not exist" : "it is at version " + stat.getVersion();
    String what =
        switch (code) {
          case BADVERSION ->
              "not at the expected version " + command.expectedVersion().orElse(-1) + ": " + now;
          case NODEEXISTS -> "it exists already (" + now + ")";
          case NONODE -> command.op() == Op.CREATE ? "its parent does not exist" : now;
          case NOTEMPTY -> "it has children";
          case NOAUTH -> "not authorized (the node's ACL refuses the connector's credentials)";
          default -> "refused by ZooKeeper: " + code;
        };
    return (batch ? "the batch was not applied: " : "") + command.describe() + ": " + what;
  }

  /** A conflict with what is there: the expected state did not hold. */
  private static boolean conflict(Code code) {
    return code == Code.BADVERSION
        || code == Code.NODEEXISTS
        || code == Code.NONODE
        || code == Code.NOTEMPTY;
  }

  /** What ZooKeeper refuses whatever the state: the command is rejected. */
  private static boolean refused(Code code) {
    return code == Code.BADARGUMENTS
        || code == Code.NOCHILDRENFOREPHEMERALS
        || code == Code.INVALIDACL
        || code == Code.UNIMPLEMENTED;
  }

  /** The index of the operation a failed multi-op failed on, -1 if it does not say. */
  static int failedOp(KeeperException e) {
    List<OpResult> results = e.getResults();
    if (results == null) {
      return -1;
    }
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) instanceof OpResult.ErrorResult error
          && error.getErr() != Code.OK.intValue()
          && error.getErr() != Code.RUNTIMEINCONSISTENCY.intValue()) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() {}
}
