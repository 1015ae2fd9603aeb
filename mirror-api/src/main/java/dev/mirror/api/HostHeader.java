package dev.mirror.api;

import java.util.Objects;

/**
 * Which {@code Host} a copy carries.
 *
 * @param mode where the value comes from
 * @param value the literal host, for {@link Mode#LITERAL} only; otherwise null
 */
public record HostHeader(Mode mode, String value) {

  /** Where a copy's {@code Host} comes from. */
  public enum Mode {
    /** The client's original Host (the default, as APISIX and Envoy do). */
    ORIGINAL,
    /** The target's own host and port, as a fresh client would send. */
    TARGET,
    /** A fixed value. */
    LITERAL
  }

  private static final HostHeader ORIGINAL = new HostHeader(Mode.ORIGINAL, null);
  private static final HostHeader TARGET = new HostHeader(Mode.TARGET, null);

  /**
   * Validates the pairing of mode and value.
   *
   * @throws IllegalArgumentException if a literal has no value, contains whitespace, or another
   *     mode has one
   */
  public HostHeader {
    Objects.requireNonNull(mode, "mode");
    if (mode == Mode.LITERAL) {
      if (value == null || value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
        throw InvalidValue.of("host-header", value, "a host[:port] without spaces");
      }
    } else if (value != null) {
      throw InvalidValue.of("host-header", value, "null unless the mode is LITERAL");
    }
  }

  /** The client's original Host. */
  public static HostHeader original() {
    return ORIGINAL;
  }

  /** The target's own {@code host[:port]}. */
  public static HostHeader target() {
    return TARGET;
  }

  /** A fixed Host value such as {@code shadow.internal:8080}. */
  public static HostHeader literal(String value) {
    return new HostHeader(Mode.LITERAL, value);
  }

  /**
   * Parses {@code original}, {@code target}, or any other word as a literal host.
   *
   * @throws IllegalArgumentException if the value is empty or contains whitespace
   */
  public static HostHeader parse(String text) {
    Objects.requireNonNull(text, "text");
    switch (text) {
      case "original":
        return ORIGINAL;
      case "target":
        return TARGET;
      default:
        return literal(text);
    }
  }
}
