package dev.pipekeeper.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Waiting for a condition: at once if it holds, woken by a signal, bounded by its timeout. */
class AwaitTest {
  @Test
  void aConditionThatHoldsReturnsAtOnceEvenWithoutTime() {
    Await await = new Await(Duration.ofMinutes(1));
    AtomicInteger tests = new AtomicInteger();
    assertThat(await.until(() -> tests.incrementAndGet() > 0, Duration.ZERO)).isTrue();
    assertThat(tests).hasValue(1);
  }

  @Test
  void aConditionThatNeverHoldsTimesOut() {
    Await await = new Await(Duration.ofMillis(10));
    long started = System.nanoTime();
    assertThat(await.until(() -> false, Duration.ofMillis(50))).isFalse();
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(Duration.ofMillis(40).toNanos());
  }

  @Test
  void aSignalWakesTheWaiterLongBeforeItsRecheck() throws Exception {
    Await await = new Await(Duration.ofMinutes(10));
    AtomicBoolean ready = new AtomicBoolean();
    CompletableFuture<Boolean> waiter =
        CompletableFuture.supplyAsync(() -> await.until(ready::get, Duration.ofMinutes(10)));
    ready.set(true);
    await.signal();
    assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aChangeWithoutSignalIsSeenAtTheNextRecheck() throws Exception {
    Await await = new Await(Duration.ofMillis(20));
    AtomicBoolean ready = new AtomicBoolean();
    CompletableFuture<Boolean> waiter =
        CompletableFuture.supplyAsync(() -> await.until(ready::get, Duration.ofMinutes(10)));
    ready.set(true);
    assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anInterruptEndsTheWaitWithTheFlagSet() throws Exception {
    Await await = new Await(Duration.ofMinutes(10));
    CompletableFuture<Boolean> flagged = new CompletableFuture<>();
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread waiter =
        new Thread(
            () -> {
              result.complete(await.until(() -> false, Duration.ofMinutes(10)));
              flagged.complete(Thread.currentThread().isInterrupted());
            });
    waiter.start();
    waiter.interrupt();
    assertThat(result.get(30, TimeUnit.SECONDS)).isFalse();
    assertThat(flagged.get(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aRecheckUnderAMillisecondIsRefused() {
    assertThatThrownBy(() -> new Await(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
