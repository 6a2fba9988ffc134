package dev.pipekeeper.kafka.streams.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ConfigChange;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.internal.Serial;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.leader.Lease;
import dev.pipekeeper.core.leader.LeaseListener;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.kafka.streams.StreamsFactory;
import dev.pipekeeper.kafka.streams.StreamsMember;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StreamsMember}. Everything that opens, closes or reports a {@code KafkaStreams} runs on
 * the member's own thread (core's {@link Serial}), one task at a time: the start, grants and ends
 * of leadership terms, state changes Kafka Streams reports, restarts and the close. So no two of
 * them interleave, none runs on Curator's or Kafka Streams' threads, and the instance has one
 * owner.
 *
 * <p>Callers that must not go on before an instance is closed (the end of a term, so that a
 * graceful hand-over stops this leader before the next is granted; the member's own close) wait for
 * that task, bounded by the close timeout; they wait only when there is an instance to close, so
 * the member's thread can release the role itself without waiting on its own queue.
 */
public final class DefaultStreamsMember implements StreamsMember {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultStreamsMember.class);

  /** Beyond the close timeout: how long a caller waits for the member's thread to get there. */
  private static final Duration GRACE = Duration.ofSeconds(5);

  private final Pipekeeper pipekeeper;
  private final String group;
  private final String memberId;
  private final Optional<String> role;
  private final StreamsFactory factory;
  private final Map<String, String> metadata;
  private final Duration closeTimeout;
  private final Set<String> restartOn;
  private final StreamsUncaughtExceptionHandler handler;
  private final KafkaStreams.StateListener listener;

  private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Serial thread;
  private boolean started;

  /** The open instance; written on the member's thread only. */
  private volatile Instance current;

  // On the member's thread only.
  private long instances;
  private MemberState published = MemberState.STARTING;

  // Set by start.
  private volatile ConfigView config;
  private volatile Member member;
  private volatile Leadership leadership;

  /** An open {@code KafkaStreams}: its number (to tell its events from older ones') and term. */
  private record Instance(KafkaStreams streams, long number, Lease lease) {}

  /** Made by {@code StreamsMemberBuilder.build()}, which validated the settings. */
  public DefaultStreamsMember(StreamsMemberSettings settings) {
    this.pipekeeper = settings.pipekeeper();
    this.group = settings.group();
    this.memberId = pipekeeper.identity();
    this.role = settings.role();
    this.factory = settings.factory();
    this.metadata = settings.metadata();
    this.closeTimeout = settings.closeTimeout();
    this.restartOn = settings.restartOn();
    this.handler = settings.uncaughtExceptionHandler();
    this.listener = settings.stateListener();
    this.thread = new Serial("pipekeeper-streams-" + group + "-" + memberId);
  }

  // ---- lifecycle ----

  @Override
  public synchronized StreamsMember start() {
    if (started || state.get() != State.CREATED) {
      throw new IllegalStateException(
          "streams member of group " + group + " was started before or is closed");
    }
    started = true;
    try {
      config = pipekeeper.config().view(group, memberId);
      if (!restartOn.isEmpty()) {
        config.onBatch(this::onConfigBatch);
      }
      MemberInfo info = MemberInfo.defaults().id(memberId).initialState(MemberState.STARTING);
      for (Map.Entry<String, String> tag : metadata.entrySet()) {
        info = info.tag(tag.getKey(), tag.getValue());
      }
      member = pipekeeper.membership().join(group, info);
      if (role.isPresent()) {
        await(thread.call("standing by", () -> moveTo(State.STANDBY)));
        leadership = pipekeeper.leadership(role.get());
        leadership.addListener(new Terms());
        leadership.start();
      } else {
        await(thread.call("start", () -> open(null, "started")));
      }
    } catch (RuntimeException e) {
      state.compareAndSet(State.CREATED, State.FAILED);
      releaseZooKeeper();
      thread.close(GRACE);
      throw e;
    }
    LOG.info(
        "streams member {} of group {} started: {}",
        memberId,
        group,
        role.map(r -> "runs while it leads " + r).orElse("every member runs"));
    return this;
  }

  @Override
  public synchronized void close() {
    State before = state.getAndSet(State.CLOSED);
    if (before == State.CLOSED) {
      return;
    }
    if (started) {
      awaitBounded(
          thread.call(
              "close",
              () -> {
                publish();
                stop("closing", State.CLOSED);
              }),
          "closing its KafkaStreams");
      releaseZooKeeper();
    }
    thread.close(GRACE);
    if (started) {
      LOG.info("streams member {} of group {} closed", memberId, group);
    }
  }

  private void releaseZooKeeper() {
    Leadership held = leadership;
    if (held != null) {
      closeQuietly(held, "leaving the election of " + held.role());
    }
    Member joined = member;
    if (joined != null) {
      closeQuietly(joined, "leaving the group");
    }
    ConfigView view = config;
    if (view != null) {
      closeQuietly(view, "closing the configuration view");
    }
  }

  private void closeQuietly(AutoCloseable resource, String what) {
    try {
      resource.close();
    } catch (Exception e) {
      LOG.warn("streams member {} of group {}: {} failed: {}", memberId, group, what, e.toString());
    }
  }

  // ---- the member's thread ----

  /**
   * Builds and starts an instance, unless one is open, the member is over, or the lease ended.
   *
   * @throws RuntimeException what the factory or the start threw, after reporting FAILED
   */
  private void open(Lease lease, String why) {
    State now = state.get();
    if (current != null || now == State.CLOSED || now == State.FAILED) {
      return;
    }
    if (lease != null && !lease.isValid()) {
      return;
    }
    long number = ++instances;
    KafkaStreams streams = null;
    try {
      streams = factory.create(config);
      if (streams == null) {
        throw new InvalidInputException("the streams factory returned null");
      }
      if (streams.state() != KafkaStreams.State.CREATED) {
        throw new InvalidInputException(
            "the streams factory returned a KafkaStreams in state "
                + streams.state()
                + "; it must return a new one, not started");
      }
      streams.setStateListener((newState, oldState) -> onStreams(number, newState, oldState));
      streams.setUncaughtExceptionHandler(this::onUncaught);
      current = new Instance(streams, number, lease);
      moveTo(State.REBALANCING);
      streams.start();
    } catch (RuntimeException e) {
      current = null;
      if (streams != null) {
        closeAbandoned(streams);
      }
      failure.set(e);
      fail("its KafkaStreams could not be built or started: " + e);
      throw e;
    }
    LOG.info(
        "streams member {} of group {}: KafkaStreams #{} started ({})",
        memberId,
        group,
        number,
        why);
    if (lease != null && !lease.isValid()) {
      // The term ended while this instance started; its end found nothing to stop yet.
      stop("term of epoch " + lease.epoch() + " ended while starting", State.STANDBY);
    }
  }

  /** Closes the open instance, if any, within the close timeout, then moves to {@code after}. */
  private void stop(String why, State after) {
    Instance ending = current;
    if (ending == null) {
      moveTo(after);
      return;
    }
    current = null;
    moveTo(State.STOPPING);
    long began = System.nanoTime();
    boolean closed;
    try {
      // Leaving the group hands its partitions over at once, not after Kafka's session timeout.
      closed =
          ending
              .streams()
              .close(
                  CloseOptions.timeout(closeTimeout)
                      .withGroupMembershipOperation(
                          CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    } catch (RuntimeException e) {
      LOG.warn(
          "streams member {} of group {}: closing KafkaStreams #{} failed: {}",
          memberId,
          group,
          ending.number(),
          e.toString());
      closed = false;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    if (closed) {
      LOG.info(
          "streams member {} of group {}: KafkaStreams #{} closed in {} ms ({})",
          memberId,
          group,
          ending.number(),
          millis,
          why);
    } else {
      LOG.warn(
          "streams member {} of group {}: KafkaStreams #{} did not close within {} ms ({}); its"
              + " threads stop in the background",
          memberId,
          group,
          ending.number(),
          closeTimeout.toMillis(),
          why);
    }
    moveTo(after);
  }

  /** An instance that never ran: closed without waiting. */
  private void closeAbandoned(KafkaStreams streams) {
    try {
      streams.close(Duration.ZERO);
    } catch (RuntimeException e) {
      LOG.debug("streams member {}: closing a failed instance: {}", memberId, e.toString());
    }
  }

  /**
   * FAILED: says why once, closes the instance if open, and leaves the election, so that another
   * member takes the role over; nothing is restarted.
   */
  private void fail(String why) {
    if (moveTo(State.FAILED)) {
      LOG.warn(
          "streams member {} of group {} failed: {}; not restarted{}",
          memberId,
          group,
          why,
          role.map(r -> ", leaving the election of " + r).orElse(""));
    }
    stop("failed", State.FAILED);
    Leadership held = leadership;
    if (held != null) {
      // No instance is open any more, so the end of the term does not wait on this thread.
      held.close();
    }
  }

  /** Follows a state change of instance {@code number}; older instances' changes are ignored. */
  private void follow(long number, KafkaStreams.State newState) {
    Instance now = current;
    if (now == null || now.number() != number) {
      return; // closed by this member, which reports its state itself
    }
    switch (newState) {
      case CREATED, REBALANCING -> moveTo(State.REBALANCING);
      case RUNNING -> moveTo(State.RUNNING);
      case PENDING_SHUTDOWN, NOT_RUNNING -> moveTo(State.STOPPING); // closed by someone else
      case PENDING_ERROR, ERROR -> {
        Throwable cause = failure.get();
        fail(
            "its KafkaStreams is "
                + newState
                + (cause == null ? "" : " after a stream thread failed: " + cause));
      }
    }
  }

  /** Closes the open instance and starts a new one from the factory. */
  private void restart(Set<String> keys) {
    Instance running = current;
    if (running == null) {
      return; // no instance: the next one reads the new values anyway
    }
    Lease lease = running.lease();
    if (lease != null && !lease.isValid()) {
      return; // the end of its term is on its way
    }
    String why = "restart keys changed: " + keys;
    stop(why, State.REBALANCING);
    try {
      open(lease, why);
    } catch (RuntimeException reported) {
      // open reported FAILED
    }
  }

  /**
   * Moves to {@code next} and publishes it; CLOSED is final, and FAILED moves only to CLOSED.
   *
   * @return whether the state changed
   */
  private boolean moveTo(State next) {
    while (true) {
      State now = state.get();
      if (now == next || now == State.CLOSED || (now == State.FAILED && next != State.CLOSED)) {
        return false;
      }
      if (state.compareAndSet(now, next)) {
        LOG.debug("streams member {} of group {}: {} -> {}", memberId, group, now, next);
        publish();
        return true;
      }
    }
  }

  /** Writes the member state that goes with the current state, if it changed. */
  private void publish() {
    Member joined = member;
    MemberState wanted = state.get().memberState();
    if (joined == null || wanted == published) {
      return;
    }
    try {
      joined.setState(wanted);
      published = wanted;
    } catch (IllegalStateException left) {
      // The member node was closed, e.g. with its Pipekeeper connection: nothing to publish to.
      LOG.debug(
          "streams member {} of group {}: not published: {}", memberId, group, left.toString());
    } catch (RuntimeException e) {
      LOG.warn(
          "streams member {} of group {}: could not publish {}: {}",
          memberId,
          group,
          wanted,
          e.toString());
    }
  }

  /** Waits for a task on the member's thread; rethrows what it threw. */
  private static void await(CompletableFuture<Void> done) {
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the member's thread", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Waits for a task on the member's thread up to the close timeout and a grace; logs a failure.
   */
  private void awaitBounded(CompletableFuture<Void> done, String what) {
    long bound = closeTimeout.plus(GRACE).toMillis();
    try {
      done.get(bound, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      LOG.warn(
          "streams member {} of group {}: {} took more than {} ms", memberId, group, what, bound);
    } catch (ExecutionException e) {
      LOG.warn(
          "streams member {} of group {}: {} failed: {}",
          memberId,
          group,
          what,
          e.getCause().toString());
    }
  }

  // ---- events from other threads ----

  /** On a Kafka Streams thread: hands the change over, then tells the user's listener. */
  private void onStreams(long number, KafkaStreams.State newState, KafkaStreams.State oldState) {
    thread.execute("KafkaStreams #" + number + " " + newState, () -> follow(number, newState));
    try {
      listener.onChange(newState, oldState);
    } catch (RuntimeException e) {
      LOG.warn(
          "streams member {} of group {}: state listener failed: {}",
          memberId,
          group,
          e.toString(),
          e);
    }
  }

  /** On the failing stream thread: the user's decision, one line, and the failure kept. */
  private StreamThreadExceptionResponse onUncaught(Throwable error) {
    StreamThreadExceptionResponse response;
    try {
      response = handler.handle(error);
    } catch (RuntimeException e) {
      LOG.warn(
          "streams member {} of group {}: uncaught exception handler failed: {}",
          memberId,
          group,
          e.toString());
      response = null;
    }
    if (response == null) {
      response = StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    failure.set(error);
    // Kafka Streams logs the stack trace itself.
    LOG.warn(
        "streams member {} of group {}: a stream thread failed ({}): {}",
        memberId,
        group,
        response,
        error.toString());
    return response;
  }

  /** On the configuration view's thread. */
  private void onConfigBatch(ConfigChange change) {
    Set<String> changed = new TreeSet<>(change.changes().keySet());
    changed.retainAll(restartOn);
    if (!changed.isEmpty()) {
      thread.execute("restart", () -> restart(changed));
    }
  }

  /** Leadership events, on the leadership's thread. */
  private final class Terms implements LeaseListener {
    @Override
    public void granted(Lease lease) {
      thread.execute(
          "term of epoch " + lease.epoch(),
          () -> {
            try {
              open(lease, "leads " + lease.role() + " with epoch " + lease.epoch());
            } catch (RuntimeException reported) {
              // open reported FAILED
            }
          });
    }

    @Override
    public void suspended(Lease lease) {
      end(lease, "connection to ZooKeeper suspended");
    }

    @Override
    public void revoked(Lease lease) {
      end(lease, "lease revoked");
    }

    /** Stops the term's instance; waits for it if one is open, so a hand-over is clean. */
    private void end(Lease lease, String why) {
      Instance running = current;
      CompletableFuture<Void> done =
          thread.call(
              "end of term " + lease.epoch(),
              () -> {
                Instance now = current;
                if (now != null && now.lease() == lease) {
                  stop(why + ", epoch " + lease.epoch(), State.STANDBY);
                }
              });
      if (running != null && running.lease() == lease) {
        awaitBounded(done, "ending the term of epoch " + lease.epoch());
      }
    }
  }

  // ---- views ----

  @Override
  public String group() {
    return group;
  }

  @Override
  public String memberId() {
    return memberId;
  }

  @Override
  public State state() {
    return state.get();
  }

  @Override
  public Optional<String> role() {
    return role;
  }

  @Override
  public ConfigView config() {
    ConfigView view = config;
    if (view == null) {
      throw new IllegalStateException("streams member of group " + group + " is not started");
    }
    return view;
  }

  @Override
  public Optional<KafkaStreams> streams() {
    Instance now = current;
    return now == null ? Optional.empty() : Optional.of(now.streams());
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  @Override
  public String toString() {
    return "streams member " + memberId + " of group " + group + " (" + state.get() + ")";
  }
}
