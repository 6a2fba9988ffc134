package dev.pipekeeper.core.archfixture;

import dev.pipekeeper.core.archfixture.internal.Hidden;

/** A deliberate violation: a public method exposing an .internal type. */
public class LeakyApi {
  public Hidden hidden() {
    return new Hidden();
  }
}
