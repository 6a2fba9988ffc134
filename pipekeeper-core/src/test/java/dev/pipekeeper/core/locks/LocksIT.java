package dev.pipekeeper.core.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.barriers.Barrier;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class LocksIT {
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration LONG = Duration.ofSeconds(20);

  @Test
  void aMutexIsExclusiveAndItsTokensStrictlyIncrease(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      List<Long> tokens = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Pipekeeper holder = i % 2 == 0 ? a : b;
        Pipekeeper other = holder == a ? b : a;
        try (LockHandle handle = holder.locks().mutex("tenant-42").acquire(LONG)) {
          assertThat(handle.isValid()).isTrue();
          assertThat(handle.name()).isEqualTo("tenant-42");
          assertThat(other.locks().mutex("tenant-42").tryAcquire(SHORT)).isEmpty();
          assertThat(holder.locks().mutex("tenant-42").tryAcquire(SHORT))
              .as("not reentrant")
              .isEmpty();
          tokens.add(handle.fencingToken());
          LockInfo info = a.inspector().locks().get(0);
          assertThat(info.kind()).isEqualTo("mutex");
          assertThat(info.holders())
              .singleElement()
              .satisfies(
                  h -> {
                    assertThat(h.owner()).isEqualTo(holder.identity());
                    assertThat(h.token()).isEqualTo(handle.fencingToken());
                  });
        }
      }
      assertThat(tokens).isSorted().doesNotHaveDuplicates();
      assertThat(a.inspector().locks()).isEmpty();
    }
  }

  @Test
  void waitersGetTheMutexInTurn(TestCluster cluster) throws Exception {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      LockHandle first = a.locks().mutex("m").acquire(LONG);
      CompletableFuture<LockHandle> second =
          CompletableFuture.supplyAsync(() -> b.locks().mutex("m").acquire(LONG));
      org.awaitility.Awaitility.await()
          .atMost(LONG)
          .until(() -> a.inspector().locks().get(0).waiting() == 1);
      assertThat(second).isNotDone();
      first.close();
      LockHandle next = second.get(20, TimeUnit.SECONDS);
      assertThat(next.fencingToken()).isGreaterThan(first.fencingToken());
      assertThat(first.isValid()).isFalse();
      first.close(); // twice is fine
      CompletableFuture.runAsync(next::close).exceptionally(e -> null);
    }
  }

  /**
   * A mutex closed on another thread than the one that acquired it is refused with a clear error,
   * and stays held and valid (Curator's recipe knows its holder by thread: before, the handle said
   * released while its node stayed, the lock held until the session ended); closed on its own
   * thread, it is released. A semaphore permit is released from any thread.
   */
  @Test
  void aMutexClosedOnAnotherThreadIsRefusedAndStaysHeld(TestCluster cluster) throws Exception {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      ExecutorService acquirer = Executors.newSingleThreadExecutor();
      try {
        LockHandle held =
            acquirer.submit(() -> a.locks().mutex("m").acquire(LONG)).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(held::close)
            .isInstanceOf(IllegalMonitorStateException.class)
            .hasMessageContaining("lock m (token " + held.fencingToken() + ")")
            .hasMessageContaining("must be released on it; it is still held");
        assertThat(held.isValid()).isTrue();
        assertThat(b.locks().mutex("m").tryAcquire(SHORT)).as("still held").isEmpty();
        acquirer.submit(held::close).get(30, TimeUnit.SECONDS);
        assertThat(held.isValid()).isFalse();
        try (LockHandle next = b.locks().mutex("m").acquire(LONG)) {
          assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
        }

        LockHandle permit =
            acquirer
                .submit(() -> a.locks().semaphore("s", 1).acquire(LONG))
                .get(30, TimeUnit.SECONDS);
        permit.close(); // on this thread: a lease knows no thread
        assertThat(permit.isValid()).isFalse();
        try (LockHandle again = b.locks().semaphore("s", 1).acquire(LONG)) {
          assertThat(again.isValid()).isTrue();
        }
      } finally {
        acquirer.shutdownNow();
      }
    }
  }

  @Test
  void readersShareAndWritersExclude(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      try (LockHandle r1 = a.locks().readLock("table").acquire(LONG);
          LockHandle r2 = b.locks().readLock("table").acquire(LONG)) {
        assertThat(r2.fencingToken()).isGreaterThan(r1.fencingToken());
        assertThat(b.locks().writeLock("table").tryAcquire(SHORT)).isEmpty();
        LockInfo info = a.inspector().locks().get(0);
        assertThat(info.kind()).isEqualTo("read-write");
        assertThat(info.holders())
            .extracting(LockInfo.Holder::mode)
            .containsExactly("read", "read");
      }
      try (LockHandle w = a.locks().writeLock("table").acquire(LONG)) {
        assertThat(b.locks().readLock("table").tryAcquire(SHORT)).isEmpty();
        assertThat(w.fencingToken()).isPositive();
      }
    }
  }

  @Test
  void aSemaphoreGivesOutItsPermitsOnly(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      LockHandle p1 = a.locks().semaphore("pool", 2).acquire(LONG);
      LockHandle p2 = b.locks().semaphore("pool", 2).acquire(LONG);
      assertThat(p2.fencingToken()).isGreaterThan(p1.fencingToken());
      Optional<LockHandle> third = a.locks().semaphore("pool", 2).tryAcquire(SHORT);
      assertThat(third).isEmpty();
      LockInfo info = a.inspector().locks().get(0);
      assertThat(info.kind()).isEqualTo("semaphore");
      assertThat(info.holders())
          .extracting(LockInfo.Holder::owner)
          .containsExactlyInAnyOrder("a", "b");
      p1.close();
      LockHandle p3 = a.locks().semaphore("pool", 2).acquire(LONG);
      assertThat(p3.fencingToken()).isGreaterThan(p2.fencingToken());
      p2.close();
      p3.close();
      assertThatThrownBy(() -> a.locks().semaphore("pool", 0))
          .isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void aBarrierLetsAllMembersThroughTogether(TestCluster cluster) throws Exception {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b");
        Pipekeeper c = Clients.connect(cluster, "c")) {
      List<CompletableFuture<Boolean>> entered = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      for (Pipekeeper pk : List.of(a, b)) {
        entered.add(CompletableFuture.supplyAsync(() -> pk.barrier("step-1", 3).enter(LONG), pool));
      }
      assertThat(a.barrier("lonely", 2).enter(SHORT)).as("alone it times out").isFalse();
      assertThat(entered).noneMatch(CompletableFuture::isDone);
      Barrier last = c.barrier("step-1", 3);
      assertThat(last.enter(LONG)).isTrue();
      for (CompletableFuture<Boolean> f : entered) {
        assertThat(f.get(20, TimeUnit.SECONDS)).isTrue();
      }
      pool.shutdown();
    }
  }
}
