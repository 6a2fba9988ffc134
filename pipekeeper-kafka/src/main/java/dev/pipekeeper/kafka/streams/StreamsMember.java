package dev.pipekeeper.kafka.streams;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.membership.MemberState;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * An existing Kafka Streams application as a member of a Pipekeeper group: it joins the group,
 * publishes the state of its {@link KafkaStreams} as its member state, gives the topology the
 * group's live configuration, and, if asked, runs only while it holds a leadership role.
 * <!-- example-context: Pipekeeper pk; Properties props; Topology topology(ConfigView config) -->
 *
 * <pre>{@code
 * StreamsMember orders =
 *     StreamsMember.builder(pk, "orders-app")
 *         .streams(config -> new KafkaStreams(topology(config), props))
 *         .leaderOnly(true) // run only while holding the role "orders-app.leader"
 *         .start();
 * }</pre>
 *
 * <p><b>Group and configuration.</b> The member joins the group {@code GROUP} with the id {@link
 * Pipekeeper#identity()} (so one Pipekeeper connection holds one member of a group) and reads the
 * configuration of scope {@code member/ID} over {@code pipeline/GROUP} over {@code global}. Kafka
 * Streams' own group (its {@code application.id}) is the application's business; give every member
 * of the Pipekeeper group the same one.
 *
 * <p><b>Leader-only.</b> Every member contends for the role; the one that wins builds a fresh
 * {@code KafkaStreams} from its {@link StreamsFactory} and starts it. When the lease is suspended
 * (ZooKeeper silent for two thirds of the session) or revoked, the member closes the instance at
 * once, on its own thread, within the close timeout, leaving Kafka Streams' consumer group so the
 * next leader's instance gets the partitions without waiting for a session timeout. A member that
 * does not lead stays in the group, {@link State#STANDBY}. After a crash (no graceful leave) the
 * next leader's instance gets the partitions once Kafka's {@code session.timeout.ms} has passed:
 * set it near Pipekeeper's session timeout for a fast takeover. Kafka's group protocol (and
 * exactly-once's fencing) keeps two instances from processing one partition even if an old leader
 * were slow to stop.
 *
 * <p><b>Errors.</b> An exception that escapes a stream thread goes to the builder's {@linkplain
 * StreamsMemberBuilder#uncaughtExceptionHandler handler} (default: shut the client down, as Kafka
 * Streams does), is logged in one line and kept as {@link #failure()}. A {@code KafkaStreams} that
 * ends in {@link KafkaStreams.State#ERROR} is closed and reported ({@link State#FAILED}); it is not
 * restarted, and a leader-only member leaves the election so that another member takes over. To
 * have failed stream threads replaced, return {@code REPLACE_THREAD} from your handler.
 *
 * <p>While the connection to ZooKeeper is down an instance that is not leader-only keeps running on
 * the last configuration; the member node comes back by itself after a new session. Close the
 * member before its Pipekeeper connection: closing the connection first ends a leader-only member's
 * term (its instance is closed) for good, but leaves any other instance running. Thread-safe;
 * {@link #close()} is safe to call twice.
 */
public interface StreamsMember extends AutoCloseable {

  /**
   * A builder for a member of {@code group}, coordinated through {@code pipekeeper} (not closed
   * with the member).
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the group name is not valid
   */
  static StreamsMemberBuilder builder(Pipekeeper pipekeeper, String group) {
    return new StreamsMemberBuilder(pipekeeper, group);
  }

  /** The states of a member and the {@link MemberState} each is published as. */
  enum State {
    /** Built, not started; not in the group. */
    CREATED(MemberState.STARTING),
    /** Leader-only and not leading: in the group, no {@code KafkaStreams}. */
    STANDBY(MemberState.STARTING),
    /** Its {@code KafkaStreams} is created or rebalancing: not processing yet. */
    REBALANCING(MemberState.STARTING),
    /** Its {@code KafkaStreams} is RUNNING. */
    RUNNING(MemberState.RUNNING),
    /** Its {@code KafkaStreams} is being closed (role lost, restart key changed, or closing). */
    STOPPING(MemberState.STOPPING),
    /**
     * Its {@code KafkaStreams} ended in ERROR, or could not be built or started; see {@link
     * #failure()}. Final until closed: the member runs nothing more.
     */
    FAILED(MemberState.STOPPING),
    /** Closed: out of the group. */
    CLOSED(MemberState.STOPPING);

    private final MemberState published;

    State(MemberState published) {
      this.published = published;
    }

    /** The state the member publishes in its group while in this state. */
    public MemberState memberState() {
      return published;
    }
  }

  /** The Pipekeeper group (and the configuration scope {@code pipeline/GROUP}). */
  String group();

  /** The member's id in the group: the Pipekeeper connection's identity. */
  String memberId();

  State state();

  /** The role contended for, if leader-only. */
  Optional<String> role();

  /**
   * The live configuration the factory got (member over pipeline over global).
   *
   * @throws IllegalStateException before {@link #start()}
   */
  ConfigView config();

  /**
   * The current {@code KafkaStreams}, if one is open: for interactive queries and metrics. The
   * member may close it at any moment (role lost, restart key changed); do not close it yourself,
   * close the member.
   */
  Optional<KafkaStreams> streams();

  /** The last exception that escaped a stream thread or the factory, if any. */
  Optional<Throwable> failure();

  /**
   * Joins the group; then, unless leader-only, builds and starts the {@code KafkaStreams} before
   * returning; if leader-only, contends for the role and returns (the instance starts in the
   * background when the role is won).
   *
   * @throws IllegalStateException if started before or closed
   * @throws dev.pipekeeper.core.UnreachableException if ZooKeeper did not answer in time
   * @throws RuntimeException what the factory or {@code KafkaStreams.start()} threw (the member is
   *     then FAILED and out of the group)
   */
  StreamsMember start();

  /**
   * Closes the {@code KafkaStreams} within the close timeout (leaving Kafka Streams' group),
   * releases the role, leaves the Pipekeeper group and stops the member's thread. Blocks up to
   * about the close timeout. Safe to call twice; do not call it from the factory or a state
   * listener.
   */
  @Override
  void close();
}
