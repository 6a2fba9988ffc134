package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.internal.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as operators write them: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** For the options whose duration must be longer than zero, refused in the user's words. */
  static final class Positive implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration duration = parse(value);
      if (duration.isZero()) {
        throw new TypeConversionException(
            "'" + value + "' is not positive; write it as 500ms, 5s, 2m or 1h");
      }
      return duration;
    }
  }

  static Duration parse(String value) {
    try {
      return Durations.parse(value);
    } catch (InvalidInputException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
