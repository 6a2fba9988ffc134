package dev.pipekeeper.app.cli;

import dev.pipekeeper.embedded.EmbeddedKafka;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.io.PrintWriter;

/**
 * What {@code local} and {@code demo} print so that the other commands reach the servers they
 * started: the client files of secured servers (paths only; the passwords are in them) and the
 * {@code export} lines, with {@code writer}'s client files for secured ones.
 */
final class ServerExports {
  private ServerExports() {}

  /**
   * Prints, for secured servers, each user's client files, then the export lines; each line starts
   * with {@code indent}.
   */
  static void print(
      PrintWriter out, String indent, EmbeddedZooKeeper zk, EmbeddedKafka kafka, String cluster) {
    boolean secured = zk.security().isPresent();
    if (secured) {
      out.println(indent + "Client files (passwords are in them, never printed):");
      for (String user : EmbeddedSecurity.USERS) {
        out.printf("%s  %-7s ZooKeeper %s%n", indent, user, zk.clientConfigFile(user));
        out.printf("%s  %-7s Kafka     %s%n", indent, "", kafka.clientConfigFile(user));
      }
      out.println();
    }
    out.println(indent + "export PIPEKEEPER_ZK=" + zk.connectString());
    out.println(indent + "export PIPEKEEPER_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
    out.println(indent + "export PIPEKEEPER_CLUSTER=" + cluster);
    if (secured) {
      out.println(
          indent + "export PIPEKEEPER_ZK_CONFIG=" + zk.clientConfigFile(EmbeddedSecurity.WRITER));
      out.println(
          indent
              + "export PIPEKEEPER_KAFKA_CONFIG="
              + kafka.clientConfigFile(EmbeddedSecurity.WRITER));
    }
    out.flush();
  }
}
