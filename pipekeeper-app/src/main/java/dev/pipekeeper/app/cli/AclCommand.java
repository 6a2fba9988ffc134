package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.security.AclAudit;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pipekeeper acl}: the ACLs of the cluster's tree. */
@Command(
    name = "acl",
    description = {
      "Reports the ACLs of the cluster's tree, or brings it to the ACL model of --zk-config.",
      "Credentials and the model come from --zk-config FILE (see docs/security.md)."
    },
    subcommands = {AclCommand.Show.class, AclCommand.Apply.class})
final class AclCommand implements Runnable {
  @ParentCommand PipekeeperCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: say which one to run");
  }

  /** {@code pipekeeper acl show}. */
  @Command(
      name = "show",
      description = {
        "Lists each node's ACL, nodes with the same ACL grouped; warns on anything world-writable"
            + " and on a secret anyone may read.",
        "Exit 1 if there is a warning."
      })
  static final class Show implements Callable<Integer> {
    @ParentCommand AclCommand acl;

    @Mixin JsonOutput output;

    @Override
    public Integer call() {
      AclAudit.Report report;
      try (Pipekeeper pk = Connections.open(acl.root.zookeeper)) {
        report = pk.acls().show();
      }
      output.print(() -> report, out -> print(report, out));
      if (!report.warnings().isEmpty()) {
        acl.spec
            .commandLine()
            .getErr()
            .println(
                "pipekeeper: "
                    + report.warnings().size()
                    + " ACL warning"
                    + (report.warnings().size() == 1 ? "" : "s"));
        return ExitCodes.FAILED;
      }
      return ExitCodes.OK;
    }

    private static void print(AclAudit.Report report, PrintWriter out) {
      Map<String, List<String>> byAcl = new LinkedHashMap<>();
      for (AclAudit.NodeAcl node : report.nodes()) {
        byAcl
            .computeIfAbsent(
                String.join(", ", node.acl()) + (node.secret() ? "  (secret)" : ""),
                k -> new ArrayList<>())
            .add(node.path());
      }
      byAcl.forEach(
          (acl, paths) -> {
            out.println(
                acl + "  [" + paths.size() + " node" + (paths.size() == 1 ? "" : "s") + "]");
            int shown = 0;
            for (String path : paths) {
              if (shown++ == 10) {
                out.println("    ... and " + (paths.size() - 10) + " more");
                break;
              }
              out.println("    " + path);
            }
          });
      for (String warning : report.warnings()) {
        out.println("WARNING " + warning);
      }
      if (report.warnings().isEmpty()) {
        out.println("No warnings: nothing world-writable, no secret world-readable.");
      }
    }
  }

  /** {@code pipekeeper acl apply}. */
  @Command(
      name = "apply",
      description = {
        "Sets the ACL model of --zk-config (acl.admins=... and the other roles) on every node of"
            + " the cluster's tree that does not have it yet, the secret ACL on secrets; a second"
            + " run changes nothing. Needs an admin's credentials."
      })
  static final class Apply implements Callable<Integer> {
    @ParentCommand AclCommand acl;

    @Mixin JsonOutput output;

    @Override
    public Integer call() {
      AclAudit.Applied applied;
      try (Pipekeeper pk = Connections.openToWrite(acl.root.zookeeper)) {
        applied = pk.acls().apply();
      }
      output.print(
          () -> applied,
          out -> {
            if (applied.changed().isEmpty()) {
              out.println(
                  "Nothing to change: all " + applied.unchanged() + " nodes have the model's ACL.");
            } else {
              out.println(
                  "Set the model's ACL on "
                      + applied.changed().size()
                      + " node(s); "
                      + applied.unchanged()
                      + " already had it.");
            }
          });
      return ExitCodes.OK;
    }
  }
}
