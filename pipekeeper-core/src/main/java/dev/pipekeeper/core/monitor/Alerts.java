package dev.pipekeeper.core.monitor;

import java.util.List;

/**
 * The alerts the cluster's monitor keeps in ZooKeeper, read once per call: for operators, the CLI
 * and the dashboard.
 *
 * @throws dev.pipekeeper.core.UnreachableException from every method if ZooKeeper does not answer
 */
public interface Alerts {

  /** The live alerts (pending, firing, and resolved within the flap window), by key. */
  List<Alert> active();

  /** The last {@code limit} recorded transitions (FIRING and RESOLVED), oldest first. */
  List<Alert> history(int limit);
}
