package dev.pipekeeper.core.monitor;

import dev.pipekeeper.core.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What a rule watches; {@link #label()} is how rules name the kind. */
public enum RuleKind {
  /** A member left its group without DRAINING first (killed, partitioned, crashed). */
  MEMBER_DOWN("member-down"),
  /** A group has fewer than {@code min} members. */
  GROUP_SIZE("group-size"),
  /** A role that had a leader has none. */
  NO_LEADER("no-leader"),
  /** A consumer group's lag is above {@code threshold} and not shrinking over {@code window}. */
  CONSUMER_LAG("consumer-lag"),
  /** A consumer group's committed offsets did not move over {@code window} while its lag grew. */
  CONSUMER_STALLED("consumer-stalled"),
  /** A consumer group's committed offset went backwards within {@code window}. */
  CONSUMER_REWINDING("consumer-rewinding"),
  /** The oldest record a consumer group has not consumed is older than {@code after}. */
  LAG_TIME("lag-time"),
  /** A member's errors per second are above {@code threshold}. */
  ERROR_RATE("error-rate"),
  /** A member processed nothing for {@code after} while it has lag (work pending). */
  NO_PROGRESS("no-progress"),
  /** A member runs an older configuration version than the stored one, or a last-known-good one. */
  CONFIG_DRIFT("config-drift"),
  /**
   * The ZooKeeper ensemble: every server reachable and serving, a leader present, outstanding
   * requests under {@code maxOutstanding} and average latency under {@code maxLatency}.
   */
  ZOOKEEPER("zookeeper"),
  /** Kafka answers. */
  KAFKA("kafka"),
  /** An alert sink (webhook, topic) keeps failing to deliver. */
  DELIVERY("delivery"),
  /**
   * A group's published assignment gives some of its work units to nobody: no member can take them
   * (every member drained, pinned to a member or tag that is not there, no capacity left).
   */
  UNASSIGNED_UNITS("unassigned-units");

  private final String label;

  RuleKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /**
   * Reads a kind by its label.
   *
   * @throws InvalidInputException naming the known kinds
   */
  public static RuleKind parse(String text) {
    for (RuleKind k : values()) {
      if (k.label.equals(text)) {
        return k;
      }
    }
    throw new InvalidInputException(
        "rule kind '"
            + text
            + "' is not known; use one of "
            + Arrays.stream(values()).map(RuleKind::label).collect(Collectors.joining(", ")));
  }
}
