package dev.pipekeeper.core.monitor;

/**
 * The lifecycle of an alert: PENDING while its condition holds for less than the rule's {@code
 * for}, FIRING once it held that long (delivered), RESOLVED once the condition has been gone for
 * the rule's {@code keepFiringFor} (delivered). A pending alert whose condition goes away is
 * dropped without a notification.
 */
public enum AlertState {
  PENDING,
  FIRING,
  RESOLVED
}
