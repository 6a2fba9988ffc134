package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.Durations;
import dev.pipekeeper.core.InvalidInputException;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as operators write them: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    try {
      return Durations.parse(value);
    } catch (InvalidInputException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
