package dev.pipekeeper.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** Core's threads: daemons, named as a thread dump shows them. */
class ThreadsTest {
  private static final Runnable NOTHING = () -> {};

  @Test
  void aDaemonIsNamedAndNotStarted() {
    Thread thread = Threads.daemon("pipekeeper-x", NOTHING);
    assertThat(thread.getName()).isEqualTo("pipekeeper-x");
    assertThat(thread.isDaemon()).isTrue();
    assertThat(thread.getState()).isEqualTo(Thread.State.NEW);
  }

  @Test
  void aNamedFactoryGivesEveryThreadTheSameName() {
    ThreadFactory factory = Threads.named("pipekeeper-monitor");
    Thread first = factory.newThread(NOTHING);
    Thread second = factory.newThread(NOTHING);
    assertThat(first.getName()).isEqualTo("pipekeeper-monitor");
    assertThat(second.getName()).isEqualTo("pipekeeper-monitor");
    assertThat(first.isDaemon()).isTrue();
    assertThat(second.isDaemon()).isTrue();
  }

  @Test
  void aNumberedFactoryCountsFromOneForEachFactory() {
    ThreadFactory units = Threads.numbered("pipekeeper-unit-g");
    assertThat(units.newThread(NOTHING).getName()).isEqualTo("pipekeeper-unit-g-1");
    assertThat(units.newThread(NOTHING).getName()).isEqualTo("pipekeeper-unit-g-2");
    Thread other = Threads.numbered("pipekeeper-unit-h").newThread(NOTHING);
    assertThat(other.getName()).isEqualTo("pipekeeper-unit-h-1");
    assertThat(other.isDaemon()).isTrue();
  }
}
