package dev.pipekeeper.embedded.junit;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The seed of every seeded random test, chosen one way. A test names its replay property (such as
 * {@code fuzz.seed}) and itself:
 *
 * <ul>
 *   <li>the property set to a number replays that seed;
 *   <li>the property set to {@code random}, or {@value #RANDOM_PROPERTY}{@code =random} for every
 *       test of a run, draws a fresh seed: the long runs that look for what no fixed seed found;
 *   <li>otherwise the seed is fixed, derived from the test's name, so that the build's run is the
 *       same run each time and a red build is a change, not a draw.
 * </ul>
 *
 * The seed is printed with the system property that replays it.
 */
public final class Seeds {
  /** Set to {@code random} to draw a fresh seed in every seeded test of the run. */
  public static final String RANDOM_PROPERTY = "pipekeeper.test.seeds";

  private Seeds() {}

  /**
   * The seed of {@code test}, from the system property {@code property} if it is given.
   *
   * @throws IllegalArgumentException if the property is neither a number nor {@code random}
   */
  public static long seed(String property, String test) {
    String given = System.getProperty(property);
    long seed;
    String how;
    if (given != null && !given.isBlank() && !given.strip().equals("random")) {
      try {
        seed = Long.parseLong(given.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "-D" + property + " must be a number (a seed to replay) or random, not " + given);
      }
      how = "given";
    } else if (given != null && given.strip().equals("random")
        || "random".equals(System.getProperty(RANDOM_PROPERTY))) {
      seed = new Random().nextLong();
      how = "drawn";
    } else {
      seed = fixed(test);
      how = "fixed";
    }
    System.out.println(
        test + ": seed " + seed + " (" + how + "; replay with -D" + property + "=" + seed + ")");
    return seed;
  }

  /** The fixed seed of a test: the same for the same name on every machine and run. */
  static long fixed(String test) {
    CRC32 crc = new CRC32();
    crc.update(test.getBytes(StandardCharsets.UTF_8));
    return crc.getValue() * 0x9E3779B97F4A7C15L;
  }
}
