package dev.pipekeeper.kafka.internal;

/**
 * The one signal, in every mode, that what a batch ran under (a SINGLETON leader's lease, a SHARDED
 * unit's ownership) ended before the batch was committed: nothing of it is committed. Thrown by
 * {@link BatchTransaction#checkOwned} before each record and before the commit; no stack trace, as
 * it is a normal end of a term, not an error.
 */
final class OwnershipEnded extends RuntimeException {
  private static final long serialVersionUID = 1L;

  OwnershipEnded() {
    super("ownership ended", null, false, false);
  }
}
