package dev.pipekeeper.app;

import dev.pipekeeper.app.cli.Cli;
import dev.pipekeeper.app.cli.ShutdownSignal;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import org.slf4j.LoggerFactory;

/** The {@code pipekeeper} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Initialise logging on this thread before commands log from several threads at once.
    LoggerFactory.getILoggerFactory();
    Charset charset = Charset.defaultCharset();
    PrintWriter out = new PrintWriter(System.out, true, charset);
    PrintWriter err = new PrintWriter(System.err, true, charset);
    int exitCode = new Cli(System.getenv(), out, err, ShutdownSignal.onJvmShutdown()).execute(args);
    System.exit(exitCode);
  }
}
