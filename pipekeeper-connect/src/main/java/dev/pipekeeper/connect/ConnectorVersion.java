package dev.pipekeeper.connect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version the build stamped into {@code pipekeeper-connect-version.properties}. */
public final class ConnectorVersion {
  /** This module's version, or {@code unknown} outside a build. */
  public static final String VERSION = read();

  private ConnectorVersion() {}

  private static String read() {
    Properties properties = new Properties();
    try (InputStream in =
        ConnectorVersion.class.getResourceAsStream("pipekeeper-connect-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version", "unknown");
  }
}
