package dev.pipekeeper.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A {@link Serial}'s {@code call}: on its thread, in order, its outcome given to the caller. */
class SerialTest {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(10));

  @Test
  void aCallRunsOnTheThreadAfterWhatWasQueuedAndCompletesAfterIt() throws Exception {
    try (Serial serial = new Serial("pipekeeper-test")) {
      List<String> ran = new CopyOnWriteArrayList<>();
      CountDownLatch release = new CountDownLatch(1);
      serial.execute(
          "blocked",
          () -> {
            awaitQuietly(release);
            ran.add("first");
          });
      AtomicReference<String> threadName = new AtomicReference<>();
      CompletableFuture<Void> done =
          serial.call(
              "second",
              () -> {
                threadName.set(Thread.currentThread().getName());
                ran.add("second");
              });
      assertThat(done).as("waits behind the queued task").isNotDone();
      release.countDown();
      done.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(ran).containsExactly("first", "second");
      assertThat(threadName.get()).startsWith("pipekeeper-test-");
    }
  }

  @Test
  void aCallOnTheThreadRunsAtOnceAndWhatItThrowsGoesToTheCaller() throws Exception {
    try (Serial serial = new Serial("pipekeeper-test")) {
      List<String> ran = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> outer =
          serial.call(
              "outer",
              () -> {
                CompletableFuture<Void> inner = serial.call("inner", () -> ran.add("inner"));
                assertThat(inner).as("run inline, not queued behind this task").isDone();
                ran.add("outer");
              });
      outer.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(ran).containsExactly("inner", "outer");

      CompletableFuture<Void> failed =
          serial.call(
              "failing",
              () -> {
                throw new IllegalArgumentException("bad");
              });
      assertThatThrownBy(() -> failed.get(BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class);
      serial.call("after", () -> ran.add("after")).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(ran).as("a failed call does not stop the thread").endsWith("after");
    }
  }

  @Test
  void aCallAfterCloseIsDroppedAndCompletesAtOnce() {
    Serial serial = new Serial("pipekeeper-test");
    serial.close(BOUND);
    List<String> ran = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = serial.call("late", () -> ran.add("late"));
    assertThat(done).isCompleted();
    assertThat(ran).isEmpty();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
