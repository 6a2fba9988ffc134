package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.locks.LockInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper locks}. */
@Command(
    name = "locks",
    description = "Lists held locks and semaphores: holders, fencing tokens, ages and waiters.")
final class LocksCommand implements Callable<Integer> {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Mixin JsonOutput output;

  @Override
  public Integer call() {
    List<LockInfo> locks;
    try (Pipekeeper pk = Connections.open(root.zookeeper)) {
      locks = pk.inspector().locks();
    }
    output.print(() -> locks, out -> print(locks, out));
    return ExitCodes.OK;
  }

  private static void print(List<LockInfo> locks, PrintWriter out) {
    if (locks.isEmpty()) {
      out.println("No locks held.");
      return;
    }
    Instant now = Instant.now();
    Table table = new Table("KIND", "NAME", "HOLDER", "MODE", "TOKEN", "AGE", "WAITING");
    for (LockInfo lock : locks) {
      if (lock.holders().isEmpty()) {
        table.row(lock.kind(), lock.name(), "(none)", "-", "-", "-", lock.waiting());
      }
      for (LockInfo.Holder holder : lock.holders()) {
        table.row(
            lock.kind(),
            lock.name(),
            holder.owner(),
            holder.mode(),
            holder.token(),
            Table.age(holder.since(), now),
            lock.waiting());
      }
    }
    table.print(out);
  }
}
