package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Pipekeeper;
import picocli.CommandLine.IVersionProvider;

/** Pipekeeper's version ({@link Pipekeeper#version()}) and the Java that runs it. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {
      "pipekeeper " + Pipekeeper.version(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
