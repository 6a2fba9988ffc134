package dev.pipekeeper.embedded.internal;

import java.io.OutputStream;
import java.io.PrintStream;

/** Swallows what Kafka's storage formatter prints for a human at a terminal. */
final class NullPrintStream {
  static final PrintStream INSTANCE = new PrintStream(OutputStream.nullOutputStream());

  private NullPrintStream() {}
}
