package dev.mirror.api;

import com.google.re2j.Pattern;
import java.util.Objects;

/**
 * What a header, cookie or query parameter must hold for a request to be selected: an exact
 * value, {@code *} for any value, or {@code regex:<pattern>} matched against the whole value.
 * Compiled once, by RE2/J: a match runs on the request thread against a value the client chose,
 * so it takes time linear in the value, whatever the pattern (RE2 syntax: no back-references,
 * no look-around). Equal when written alike.
 */
public final class ValueMatch {

  /** The prefix of a regular expression: {@value}. */
  public static final String REGEX_PREFIX = "regex:";

  private final String text;
  private final Pattern regex;

  private ValueMatch(String text, Pattern regex) {
    this.text = text;
    this.regex = regex;
  }

  /**
   * Reads a match as written.
   *
   * @throws IllegalArgumentException if a {@code regex:} pattern is not one RE2/J compiles
   */
  public static ValueMatch of(String text) {
    Objects.requireNonNull(text, "text");
    if (!text.startsWith(REGEX_PREFIX)) {
      return new ValueMatch(text, null);
    }
    String pattern = text.substring(REGEX_PREFIX.length());
    return new ValueMatch(text, UserPattern.compile("regex", pattern));
  }

  /** Returns true if the value (null when absent) is selected. */
  public boolean matches(String actual) {
    if (actual == null) {
      return false;
    }
    if (regex != null) {
      return regex.matcher(actual).matches();
    }
    return RequestFilter.ANY_VALUE.equals(text) || text.equals(actual);
  }

  /** Returns the match as written. */
  public String text() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ValueMatch that && text.equals(that.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
