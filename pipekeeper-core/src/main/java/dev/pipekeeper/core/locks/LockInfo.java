package dev.pipekeeper.core.locks;

import java.time.Instant;
import java.util.List;

/**
 * A lock or semaphore as ZooKeeper holds it.
 *
 * @param kind {@code mutex}, {@code read-write} or {@code semaphore}
 * @param name its name
 * @param holders who holds it now, oldest first
 * @param waiting how many wait for it
 */
public record LockInfo(String kind, String name, List<Holder> holders, int waiting) {

  public LockInfo {
    holders = List.copyOf(holders);
  }

  /**
   * One holder.
   *
   * @param owner the holder's identity
   * @param mode {@code exclusive}, {@code read}, {@code write} or {@code permit}
   * @param token the fencing token of its acquisition
   * @param since when its node was created
   */
  public record Holder(String owner, String mode, long token, Instant since) {}
}
