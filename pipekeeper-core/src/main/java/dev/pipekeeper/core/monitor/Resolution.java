package dev.pipekeeper.core.monitor;

/** How a RESOLVED alert ended; {@link #label()} is how the sinks and the CLI say it. */
public enum Resolution {
  /** Its condition was gone for the rule's {@code keepFiringFor}: what was wrong is fixed. */
  RECOVERED("recovered"),
  /**
   * Its rule went away ({@code alerts.rules} changed): nobody watches the condition any more, which
   * may well still hold. Not a recovery.
   */
  RULE_REMOVED("rule removed");

  private final String label;

  Resolution(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
