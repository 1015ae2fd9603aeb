package dev.mirror.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Reads a duration option as people write one: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return positive(value, Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's':
          return positive(value, Duration.ofSeconds(n));
        case 'm':
          return positive(value, Duration.ofMinutes(n));
        case 'h':
          return positive(value, Duration.ofHours(n));
        default:
          break;
      }
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      // the message below
    }
    throw new CommandLine.TypeConversionException("was '" + value
        + "', must be a duration such as 500ms, 10s, 2m or 1h");
  }

  private static Duration positive(String value, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new CommandLine.TypeConversionException("was '" + value + "', must be above 0");
    }
    return duration;
  }
}
