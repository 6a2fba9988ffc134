package dev.pipekeeper.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.connect.source.EmittedState.Node;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

/** The emitted state goes into the offsets of its buckets and comes back whole. */
class EmittedStateTest {
  /** Offsets as Connect's store holds them: the last offset of each partition. */
  private final Map<Map<String, Object>, Map<String, Object>> store = new HashMap<>();

  private final OffsetStorageReader reader =
      new OffsetStorageReader() {
        @Override
        public <T> Map<String, Object> offset(Map<String, T> partition) {
          return store.get(partition);
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(
            Collection<Map<String, T>> partitions) {
          Map<Map<String, T>, Map<String, Object>> found = new HashMap<>();
          partitions.forEach(p -> found.put(p, store.get(p)));
          return found;
        }
      };

  @Test
  void aSubtreeWithoutOffsetsIsNotRestored() {
    EmittedState state = EmittedState.load("/a", reader);
    assertThat(state.restored()).isFalse();
    assertThat(state.size()).isZero();
  }

  @Test
  void everyBucketsOffsetComesBackIncludingAnOwedTombstone() {
    EmittedState state = EmittedState.empty("/a");
    for (int i = 0; i < 200; i++) {
      String path = "/a/n" + i;
      state.put(path, new Node(i, i + 1000, i % 7, i == 13));
      store.put(state.partitionOf(path), state.offsetOf(path));
    }
    state.remove("/a/n5");
    store.put(state.partitionOf("/a/n5"), state.offsetOf("/a/n5"));

    EmittedState back = EmittedState.load("/a", reader);
    assertThat(back.restored()).isTrue();
    assertThat(back.size()).isEqualTo(199);
    assertThat(back.get("/a/n5")).isNull();
    assertThat(back.get("/a/n13")).isEqualTo(new Node(13, 1013, 6, true));
    assertThat(back.get("/a/n199")).isEqualTo(new Node(199, 1199, 3, false));
    assertThat(back.paths()).isEqualTo(state.paths());
    assertThat(EmittedState.load("/b", reader).restored()).as("another subtree's").isFalse();
  }

  @Test
  void anOffsetOfAnotherFormatIsRefused() {
    Map<String, Object> offset = new HashMap<>();
    offset.put(EmittedState.FORMAT_KEY, "0");
    store.put(EmittedState.partition("/a", 3), offset);
    assertThatThrownBy(() -> EmittedState.load("/a", reader))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("/a bucket 3 has format 0");
  }
}
