package dev.mirror.api;

import java.util.Objects;

/**
 * One way a shadow's answer differs from the primary's.
 *
 * @param field what differs: {@code status}, {@code header:<name>}, {@code body}, or a JSON
 *     pointer into the body such as {@code /items/0/price}
 * @param kind how it differs
 * @param primary the primary's value as reported (redacted by the policy's rules), or null
 * @param shadow the shadow's value as reported (redacted), or null
 */
public record Difference(String field, Kind kind, String primary, String shadow) {

  /** How a field differs. */
  public enum Kind {
    /** The primary has it, the shadow does not. */
    MISSING,
    /** The shadow has it, the primary does not. */
    EXTRA,
    /** Both have it, as different JSON types (a number against a string). */
    TYPE,
    /** Both have it, with different values. */
    VALUE
  }

  /** Validates. */
  public Difference {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(kind, "kind");
  }
}
