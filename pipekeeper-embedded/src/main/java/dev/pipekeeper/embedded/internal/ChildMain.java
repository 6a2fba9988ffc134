package dev.pipekeeper.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of a child JVM that runs one embedded server (see {@link ChildServer}). Reads its
 * properties file, starts the server, prints {@value #READY} and the server's address, and stops
 * the server on SIGTERM or when its standard input closes (the parent died).
 */
public final class ChildMain {
  public static final String READY = "PIPEKEEPER-READY";
  public static final String KIND = "pipekeeper.child.kind";
  public static final String BASE_DIR = "pipekeeper.child.baseDir";
  public static final String MY_ID = "pipekeeper.child.myId";
  public static final String CLUSTER_ID = "pipekeeper.child.clusterId";
  public static final String ADDRESS = "pipekeeper.child.address";
  public static final String LOG_LEVEL = "pipekeeper.child.logLevel";

  /** SCRAM credentials to format Kafka's storage with, one per line. */
  public static final String SCRAM = "pipekeeper.child.scram";

  private ChildMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Properties all = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      all.load(in);
    }
    QuietLogging.applyToRoot(all.getProperty(LOG_LEVEL, "WARN"));
    Properties server = new Properties();
    all.stringPropertyNames().stream()
        .filter(name -> !name.startsWith("pipekeeper.child."))
        .forEach(name -> server.setProperty(name, all.getProperty(name)));

    AutoCloseable running;
    if ("zookeeper".equals(all.getProperty(KIND))) {
      ZooKeeperServerRunner zk =
          new ZooKeeperServerRunner(
              server,
              Path.of(all.getProperty(BASE_DIR)),
              Integer.parseInt(all.getProperty(MY_ID, "0")));
      zk.start(Long.MAX_VALUE);
      running = zk;
    } else {
      String scram = all.getProperty(SCRAM, "");
      KafkaBrokerRunner kafka =
          new KafkaBrokerRunner(
              server,
              all.getProperty(CLUSTER_ID),
              scram.isEmpty() ? java.util.List.of() : java.util.List.of(scram.split("\n")));
      kafka.start();
      running = kafka;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception e) {
                    System.err.println("error while stopping: " + e);
                  }
                  stopped.countDown();
                },
                "pipekeeper-child-shutdown"));
    System.out.println(READY + " " + all.getProperty(ADDRESS, ""));
    System.out.flush();
    waitForEndOfInput(System.in);
    System.exit(0);
  }

  private static void waitForEndOfInput(InputStream in) {
    byte[] buffer = new byte[64];
    try {
      while (in.read(buffer) >= 0) {
        // the parent never writes; we only wait for the pipe to close
      }
    } catch (IOException e) {
      // a broken pipe means the parent is gone, as does end of input
    }
  }
}
