package dev.pipekeeper.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version the build stamped into {@code pipekeeper-version.properties}; see {@link
 * Pipekeeper#version()}.
 */
final class BuildVersion {
  static final String VERSION = read();

  private BuildVersion() {}

  private static String read() {
    Properties properties = new Properties();
    try (InputStream in = BuildVersion.class.getResourceAsStream("pipekeeper-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version", "unknown");
  }
}
