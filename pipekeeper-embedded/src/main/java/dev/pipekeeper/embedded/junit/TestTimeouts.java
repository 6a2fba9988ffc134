package dev.pipekeeper.embedded.junit;

import java.time.Duration;

/**
 * Test timeouts scaled by one factor for slow machines: the system property {@code
 * pipekeeper.test.timeoutFactor} (default 1) multiplies every bound a test waits for.
 */
public final class TestTimeouts {
  private TestTimeouts() {}

  public static double factor() {
    String value = System.getProperty("pipekeeper.test.timeoutFactor", "1");
    try {
      double factor = Double.parseDouble(value);
      return factor > 0 ? factor : 1;
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** {@code base} times the factor. */
  public static Duration scaled(Duration base) {
    return Duration.ofMillis((long) (base.toMillis() * factor()));
  }
}
