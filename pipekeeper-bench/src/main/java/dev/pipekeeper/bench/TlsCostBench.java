package dev.pipekeeper.bench;

import dev.pipekeeper.core.security.ZooKeeperSecurity;
import dev.pipekeeper.embedded.EmbeddedSecurity;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cost of ZooKeeper TLS and SASL on configuration propagation (P1's workload: write → 100
 * listeners on 10 connections applied): Pipekeeper against a plaintext server and against a server
 * with TLS only and SASL required, measured in one run, rounds alternating between the two. Both
 * servers run in child JVMs (a secured one must), so that the only difference is the transport.
 *
 * <p>Run: {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.TlsCostBench -Dbench.args=2000} (rounds per side).
 */
public final class TlsCostBench {

  private TlsCostBench() {}

  public static void main(String[] args) throws Exception {
    String[] words = args.length > 0 ? args[0].trim().split("\\s+") : new String[0];
    int rounds = words.length > 0 && !words[0].isBlank() ? Integer.parseInt(words[0]) : 200;
    Path dir = Files.createTempDirectory("pipekeeper-tls-bench-");
    EmbeddedSecurity material = EmbeddedSecurity.create(dir.resolve("security"));
    ZooKeeperSecurity writer =
        ZooKeeperSecurity.builder()
            .truststore(material.truststore(), material.storePasswordFile())
            .sasl(EmbeddedSecurity.WRITER, material.passwordFile(EmbeddedSecurity.WRITER))
            .build();
    try {
      run(rounds, material, writer);
    } finally {
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        files
            .sorted(java.util.Comparator.reverseOrder())
            .map(Path::toFile)
            .forEach(f -> f.delete());
      }
    }
  }

  private static void run(int rounds, EmbeddedSecurity material, ZooKeeperSecurity writer)
      throws Exception {
    try (EmbeddedZooKeeper plainZk =
            EmbeddedZooKeeper.builder().launch(Launch.CHILD_PROCESS).build().start();
        EmbeddedZooKeeper secureZk = EmbeddedZooKeeper.builder().secure(material).build().start()) {
      ConfigPropagationBench.Side plain =
          new ConfigPropagationBench.PipekeeperConfig(plainZk.connectString());
      ConfigPropagationBench.Side secure =
          new ConfigPropagationBench.PipekeeperConfig(secureZk.connectString(), writer);
      Stats[] stats = ConfigPropagationBench.alternate(plain, secure, rounds);
      Stats plainStats = stats[0];
      Stats secureStats = stats[1];
      plain.close();
      secure.close();
      ConfigPropagationBench.printTable(
          rounds,
          "connections, servers in child JVMs",
          "plaintext",
          plainStats,
          "TLS + SASL DIGEST-MD5",
          secureStats);
      System.out.printf(
          "TLS / plaintext: p50 %.2fx, p99 %.2fx%n",
          secureStats.percentile(50) / plainStats.percentile(50),
          secureStats.percentile(99) / plainStats.percentile(99));
    }
  }
}
