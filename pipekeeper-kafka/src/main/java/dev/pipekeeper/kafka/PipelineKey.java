package dev.pipekeeper.kafka;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.LiveValue;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configuration key a pipeline reads live, declared once (in {@link PipelineKeys}) with its
 * name, type, default, validator and doc, as Kafka's {@code ConfigDef} declares a client's keys.
 * Pipelines read it through {@link #bind}, a core {@link LiveValue}; set it in a scope with {@link
 * #name()}. Immutable and thread-safe.
 *
 * @param <T> the value's type
 */
public final class PipelineKey<T> {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineKey.class);

  private final String name;
  private final Class<T> type;
  private final T defaultValue;
  private final Predicate<T> validator;
  private final String validValues;
  private final String doc;

  private PipelineKey(
      String name,
      Class<T> type,
      T defaultValue,
      Predicate<T> validator,
      String validValues,
      String doc) {
    this.name = ConfigKeys.check(name);
    this.type = Objects.requireNonNull(type);
    this.defaultValue = Objects.requireNonNull(defaultValue);
    this.validator = Objects.requireNonNull(validator);
    this.validValues = Objects.requireNonNull(validValues);
    this.doc = Objects.requireNonNull(doc);
    if (!validator.test(defaultValue)) {
      throw new IllegalArgumentException(name + ": the default " + defaultValue + " is not valid");
    }
  }

  /** A key whose every value of {@code type} is valid. */
  static <T> PipelineKey<T> of(String name, Class<T> type, T defaultValue, String doc) {
    return new PipelineKey<>(name, type, defaultValue, value -> true, "any", doc);
  }

  /** An integer key whose valid values are {@code least} or more. */
  static PipelineKey<Integer> atLeast(String name, int defaultValue, int least, String doc) {
    return new PipelineKey<>(
        name, Integer.class, defaultValue, value -> value >= least, "at least " + least, doc);
  }

  /** The key's name, e.g. {@code pipeline.paused}. */
  public String name() {
    return name;
  }

  /** The type its value converts to (with Jackson, as {@link ConfigView#bind} converts). */
  public Class<T> type() {
    return type;
  }

  /** The value while the key is unset (a builder setting may give another; see its doc). */
  public T defaultValue() {
    return defaultValue;
  }

  /** What the validator accepts, in words (e.g. {@code at least 0}). */
  public String validValues() {
    return validValues;
  }

  /** What the key does. */
  public String doc() {
    return doc;
  }

  /** Whether {@code value} is valid for this key. */
  public boolean isValid(T value) {
    return value != null && validator.test(value);
  }

  /**
   * Checks a value given for this key outside the configuration (e.g. a builder's default).
   *
   * @return the value
   * @throws InvalidInputException naming the key and what it accepts
   */
  public T check(T value) {
    if (!isValid(value)) {
      throw new InvalidInputException(
          name + " must be " + validValues + ", not " + (value == null ? "missing" : value));
    }
    return value;
  }

  /** {@link #bind(ConfigView, Object)} with the declared default. */
  public LiveValue<T> bind(ConfigView view) {
    return bind(view, defaultValue);
  }

  /**
   * The key's current value in {@code view}, kept by a core binding ({@link ConfigView#bind}): a
   * value that does not convert to {@link #type()} keeps the last good one, as the binding does,
   * and so does one the validator refuses (logged once); a JSON {@code null} counts as unset.
   *
   * @param defaultValue the value while the key is unset (it must be valid)
   * @throws InvalidInputException if {@code defaultValue} is not valid
   */
  public LiveValue<T> bind(ConfigView view, T defaultValue) {
    return new Validated<>(this, view.bind(name, type, check(defaultValue)), defaultValue);
  }

  @Override
  public String toString() {
    return name;
  }

  /** A binding whose values the key's validator accepts. */
  private static final class Validated<T> implements LiveValue<T> {
    private final PipelineKey<T> key;
    private final LiveValue<T> bound;
    private final T defaultValue;
    private volatile T lastGood;
    private volatile T refused;

    Validated(PipelineKey<T> key, LiveValue<T> bound, T defaultValue) {
      this.key = key;
      this.bound = bound;
      this.defaultValue = defaultValue;
      this.lastGood = defaultValue;
    }

    @Override
    public String key() {
      return key.name();
    }

    @Override
    public T get() {
      T now = bound.get();
      if (now == null) {
        return defaultValue;
      }
      if (key.isValid(now)) {
        if (now != lastGood) {
          lastGood = now;
        }
        if (refused != null) {
          refused = null;
        }
        return now;
      }
      if (!now.equals(refused)) {
        refused = now;
        LOG.warn(
            "config {} = {} is not valid (it must be {}): keeping {}",
            key.name(),
            now,
            key.validValues(),
            lastGood);
      }
      return lastGood;
    }
  }
}
