package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A live, resolved view of configuration: for each key, the value of the most specific scope that
 * sets it (member over pipeline over global). Kept current by one recursive watch per scope (no
 * polling), which also sees keys written behind Pipekeeper's back; a multi-key change is applied
 * and delivered as one batch.
 *
 * <p><b>Last known good.</b> A value that is not valid JSON or fails its key's schema (written
 * behind Pipekeeper's back) is not applied: the view keeps the last good value, logs it once and
 * lists the key in {@link #lastKnownGoodKeys()} (and in the member's {@link AppliedConfig}, which
 * health records and the monitor's {@code config-drift} rule see). A value that does not convert to
 * a {@link #bind binding}'s type is the same case for that binding. A node under a scope whose name
 * is not a config key (made with zkCli, say) is skipped and logged once.
 *
 * <p>Listeners run on the view's own thread, one at a time, never on Curator's event thread. After
 * a reconnect or a session expiry the view reloads and delivers only what really changed, so no
 * change is lost and none is delivered twice. Thread-safe.
 */
public interface ConfigView extends AutoCloseable {

  /** The effective values, by key. */
  Map<String, JsonNode> values();

  /** The effective value of {@code key}. */
  Optional<JsonNode> raw(String key);

  /**
   * The value of {@code key} converted to {@code type} (with Jackson), or empty if unset.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the value does not convert to type
   */
  <T> Optional<T> get(String key, Class<T> type);

  /** {@link #get(String, Class)} with a default. */
  default <T> T get(String key, Class<T> type, T defaultValue) {
    return get(key, type).orElse(defaultValue);
  }

  /**
   * A holder that always has the current value of {@code key} as {@code type}. A value that does
   * not convert to {@code type} is treated like an invalid one: the holder keeps its last good
   * value (the default if it had none), logs once, and the key is listed in {@link
   * #lastKnownGoodKeys()} until a value converts again or the key is unset. {@link #values()} and
   * listeners still get the stored JSON value.
   */
  <T> LiveValue<T> bind(String key, Class<T> type, T defaultValue);

  /** Calls {@code listener} with (old, new) when {@code key}'s effective value changes. */
  void onChange(String key, BiConsumer<Optional<JsonNode>, Optional<JsonNode>> listener);

  /** Calls {@code listener} once per applied batch of changes. */
  void onBatch(Consumer<ConfigChange> listener);

  /** Each scope's version as last applied. */
  Map<Scope, Integer> appliedVersions();

  /**
   * Keys whose stored value is invalid, or does not convert to a binding's type, and for which the
   * last good value is kept.
   */
  Set<String> lastKnownGoodKeys();

  @Override
  void close();
}
