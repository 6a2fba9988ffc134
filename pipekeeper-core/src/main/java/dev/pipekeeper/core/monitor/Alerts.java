package dev.pipekeeper.core.monitor;

import java.util.List;

/**
 * The alerts the cluster's monitor keeps in ZooKeeper, read once per call: for operators, the CLI
 * and the dashboard.
 *
 * <p>Every method throws {@link dev.pipekeeper.core.UnreachableException} if ZooKeeper does not
 * answer in time.
 */
public interface Alerts {

  /** The live alerts (pending, firing, and resolved within the flap window), by key. */
  List<Alert> active();

  /** The last {@code limit} recorded transitions (FIRING and RESOLVED), oldest first. */
  List<Alert> history(int limit);
}
