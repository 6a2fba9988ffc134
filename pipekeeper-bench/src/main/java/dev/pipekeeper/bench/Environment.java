package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import dev.pipekeeper.embedded.Launch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;

/** What every harness shares: the ZooKeeper server it measures against, and the report header. */
final class Environment {
  /** Taken when a harness first touches this class, before it measures anything. */
  private static final String CORE = coreFingerprint();

  private Environment() {}

  /**
   * Starts one ZooKeeper server as the argument {@code server} says: {@code in-process} (this JVM)
   * or {@code child} (a JVM of its own, so the server's threads, JIT and GC do not share this
   * JVM's). The child runs with C2 (unlike the embedded default of C1 only, which suits tests but
   * would slow the server down under load).
   */
  static EmbeddedZooKeeper zooKeeper(BenchArgs args) {
    String where = args.string("server", "in-process");
    EmbeddedZooKeeper.Builder builder = EmbeddedZooKeeper.builder();
    switch (where) {
      case "in-process" -> builder.launch(Launch.IN_PROCESS);
      case "child" ->
          builder
              .launch(Launch.CHILD_PROCESS)
              .childJvmOptions(List.of("-Xmx512m", "-XX:+UseSerialGC", "-Xss512k"));
      default ->
          throw new IllegalArgumentException(
              "server=" + where + " is neither in-process nor child");
    }
    return builder.build().start();
  }

  /**
   * The first lines of every report: date, Java, cores, the arguments in force, and which
   * pipekeeper-core was measured (the harness runs against the jar in the local Maven repository,
   * which the last {@code install} of any checkout wrote).
   */
  static String header(String title, BenchArgs args) {
    return String.format(
        "## %s%n%n%s, Java %s, %d cores; arguments: %s%n%npipekeeper-core: %s%n%n",
        title,
        LocalDate.now(),
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        args.describe(),
        CORE);
  }

  /** Where pipekeeper-core was loaded from, with the start of the jar's SHA-256. */
  private static String coreFingerprint() {
    try {
      Path location =
          Path.of(Pipekeeper.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(location)) {
        return location.toString();
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(Files.newInputStream(location), sha)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      return location.getFileName() + ", sha256 " + HexFormat.of().formatHex(sha.digest(), 0, 6);
    } catch (IOException | URISyntaxException | NoSuchAlgorithmException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
  }
}
