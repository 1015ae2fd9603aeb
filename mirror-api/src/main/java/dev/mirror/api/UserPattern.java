package dev.mirror.api;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A regular expression written by a user ({@code regex:} matches, custom scrub patterns),
 * compiled by RE2/J: matching takes time linear in the input whatever the expression, so no
 * pattern can make a request thread or the sending thread backtrack for seconds. RE2 syntax has
 * no back-references and no look-around.
 */
final class UserPattern {

  /** What a pattern must be, as error messages say it. */
  static final String RULE = "a regular expression in RE2 syntax (linear time: no"
      + " back-references, no look-around)";

  private UserPattern() {}

  /**
   * Compiles a pattern.
   *
   * @throws IllegalArgumentException {@code <field>: was <pattern>, must be a regular expression
   *     in RE2 syntax (... : <what is wrong>)}
   */
  static Pattern compile(String field, String pattern) {
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw InvalidValue.of(field, pattern, RULE.substring(0, RULE.length() - 1) + ": "
          + e.getDescription() + ")");
    }
  }
}
