package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.config.LiveValue;
import dev.pipekeeper.core.internal.Json;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A typed holder of one key's current value. A value that does not convert to its type is held back
 * like an invalid one: the last good value stays, and the key is reported (see {@link
 * DefaultConfigView#lastKnownGoodIds}) until a value converts again or the key is unset.
 */
final class DefaultLiveValue<T> implements LiveValue<T> {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultLiveValue.class);

  private final String key;
  private final Class<T> type;
  private final T defaultValue;
  private volatile T value;

  /** {@code SCOPE KEY} of the value held back, or null. */
  volatile String held;

  /** The number of the resolution last taken (guarded by this). */
  private long taken = -1;

  DefaultLiveValue(String key, Class<T> type, T defaultValue) {
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
    this.value = defaultValue;
  }

  synchronized void update(DefaultConfigView.Resolved resolved) {
    if (resolved.number() < taken) {
      return; // a newer one was taken already
    }
    taken = resolved.number();
    JsonNode node = resolved.values().get(key);
    if (node == null) {
      value = defaultValue;
      held = null;
      return;
    }
    try {
      value = Json.fromTree(node, type);
      held = null;
    } catch (IOException | IllegalArgumentException e) {
      String id = resolved.sources().get(key).path() + " " + key;
      if (!id.equals(held)) {
        // The value stays out of the log line: it may be a secret.
        LOG.warn(
            "config {} {} holds a JSON {} that does not convert to {} (a binding's type): keeping"
                + " the last good value",
            resolved.sources().get(key),
            key,
            node.getNodeType().name().toLowerCase(java.util.Locale.ROOT),
            type.getSimpleName());
      }
      held = id;
    }
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public T get() {
    return value;
  }
}
