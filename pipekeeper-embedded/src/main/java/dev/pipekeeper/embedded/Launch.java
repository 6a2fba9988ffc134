package dev.pipekeeper.embedded;

/** Where an embedded server runs. */
public enum Launch {
  /** In this JVM: fastest to start, shares the heap, cannot be killed or paused separately. */
  IN_PROCESS,
  /**
   * In a separate JVM started from this one's classpath: slower to start, but can be killed ({@code
   * kill -9}) or paused ({@code SIGSTOP}) for fault tests.
   */
  CHILD_PROCESS
}
