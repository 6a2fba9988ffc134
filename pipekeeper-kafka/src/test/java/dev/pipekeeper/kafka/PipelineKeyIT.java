package dev.pipekeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.LiveValue;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@link PipelineKey} read through a real configuration view: it follows the key, keeps its last
 * good value when a value is refused by its validator or does not convert, and falls back to its
 * default when the key is unset.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class PipelineKeyIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(30));

  @Test
  void everyKeyIsDeclaredOnceWithAValidNameAndDefault() {
    assertThat(PipelineKeys.all())
        .extracting(PipelineKey::name)
        .containsExactly("pipeline.paused", "pipeline.retries")
        .allSatisfy(ConfigKeys::check);
    assertThat(PipelineKeys.all())
        .allSatisfy(
            key -> {
              assertThat(key.doc()).isNotBlank();
              assertThat(key.type().isInstance(key.defaultValue())).isTrue();
            });
    assertThat(PipelineKeys.PAUSED.defaultValue()).isFalse();
    assertThat(PipelineKeys.RETRIES.defaultValue()).isEqualTo(2);
    assertThat(PipelineKeys.RETRIES.check(0)).isZero();
    assertThatThrownBy(() -> PipelineKeys.RETRIES.check(-1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("pipeline.retries must be at least 0, not -1");
  }

  @Test
  void aBoundKeyFollowsTheConfigurationAndKeepsItsLastGoodValue(TestCluster cluster) {
    try (Pipekeeper pk = KafkaTopics.connect(cluster, "keys", Duration.ofSeconds(10));
        ConfigView view = pk.config().view("keyed", "keys")) {
      LiveValue<Integer> retries = PipelineKeys.RETRIES.bind(view, 4);
      assertThat(retries.key()).isEqualTo("pipeline.retries");
      assertThat(retries.get()).isEqualTo(4); // unset: the default given

      set(pk, view, IntNode.valueOf(7));
      await().atMost(BOUND).until(retries::get, v -> v == 7);

      // Refused by the validator: 7 stays (before and after the binding sees the value).
      set(pk, view, IntNode.valueOf(-1));
      assertThat(retries.get()).isEqualTo(7);
      // Does not convert: the core binding keeps 7, and says so.
      set(pk, view, TextNode.valueOf("many"));
      await().atMost(BOUND).until(view::lastKnownGoodKeys, keys -> keys.contains(key()));
      assertThat(retries.get()).isEqualTo(7);

      set(pk, view, IntNode.valueOf(0));
      await().atMost(BOUND).until(retries::get, v -> v == 0);

      pk.config().delete(Scope.pipeline("keyed"), key(), ChangeOptions.by("PipelineKeyIT"));
      await().atMost(BOUND).until(retries::get, v -> v == 4); // unset again: the default
    }
  }

  @Test
  void aDefaultTheValidatorRefusesIsNotBound(TestCluster cluster) {
    try (Pipekeeper pk = KafkaTopics.connect(cluster, "keys", Duration.ofSeconds(10));
        ConfigView view = pk.config().view("keyed", "keys")) {
      assertThatThrownBy(() -> PipelineKeys.RETRIES.bind(view, -3))
          .isInstanceOf(InvalidInputException.class);
    }
  }

  private static String key() {
    return PipelineKeys.RETRIES.name();
  }

  /** Sets the key in the pipeline's scope and waits until the view has applied it. */
  private static void set(Pipekeeper pk, ConfigView view, JsonNode value) {
    pk.config()
        .set(
            Scope.pipeline("keyed"),
            PipelineKeys.RETRIES.name(),
            value,
            ChangeOptions.by("PipelineKeyIT"));
    await()
        .atMost(BOUND)
        .until(() -> view.raw(PipelineKeys.RETRIES.name()), Optional.of(value)::equals);
  }
}
