package dev.mirror.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What is scrubbed out of a copy's body (and, for patterns, its header values and query) before
 * it leaves, so that production data does not reach the shadow's logs. Part of a {@link Rewrite};
 * applied off the request thread, on the copy only.
 *
 * @param jsonFields JSON-pointer globs of fields redacted in JSON bodies ({@code /password},
 *     {@code /items/*}{@code /card}, {@code /**}{@code /token}): strings become the mask value,
 *     other values {@code null}, or the field is removed, per the rewrite's redact mode
 * @param formFields fields redacted in {@code application/x-www-form-urlencoded} bodies
 * @param patterns detectors whose matches are replaced by the mask value in text bodies (JSON
 *     string values included), header values and the query: the built-ins {@link #DETECTORS} and
 *     names of {@code customPatterns}
 * @param customPatterns regular expressions by name, usable in {@code patterns}: RE2 syntax,
 *     matched in linear time (no back-references, no look-around)
 * @param sendUnscrubbable true to send a body that cannot be scrubbed (a JSON body that does not
 *     parse, a compressed one) unchanged; false (the default) drops that copy as {@link
 *     DropReason#SCRUB_FAILED}
 */
public record Scrubbing(List<String> jsonFields, List<String> formFields, List<String> patterns,
    Map<String, String> customPatterns, boolean sendUnscrubbable) {

  /**
   * The built-in detectors: {@code email}; {@code jwt}; {@code bearer} (an {@code Authorization}
   * bearer token); {@code card} (13 to 19 digits, spaces or dashes between groups, passing the
   * Luhn check); {@code iban} (with a valid checksum).
   */
  public static final Set<String> DETECTORS = Set.of("email", "jwt", "bearer", "card", "iban");

  private static final Scrubbing NONE = new Scrubbing(List.of(), List.of(), List.of(), Map.of(),
      false);

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException for a JSON field that is not a pointer glob, a pattern that
   *     does not compile, or a detector that does not exist
   */
  public Scrubbing {
    jsonFields = List.copyOf(jsonFields);
    for (String field : jsonFields) {
      if (!field.startsWith("/") || field.length() < 2) {
        throw InvalidValue.of("redact-json-fields", field,
            "JSON-pointer globs such as /password, /items/*/card or /**/token");
      }
    }
    formFields = List.copyOf(formFields);
    patterns = List.copyOf(patterns);
    customPatterns = Map.copyOf(new TreeMap<>(customPatterns));
    for (Map.Entry<String, String> custom : customPatterns.entrySet()) {
      UserPattern.compile("scrub-pattern." + custom.getKey(), custom.getValue());
    }
    for (String name : patterns) {
      if (!DETECTORS.contains(name) && !customPatterns.containsKey(name)) {
        throw InvalidValue.of("scrub-patterns", name, "one of " + new java.util.TreeSet<>(DETECTORS)
            + " or the name of a scrub-pattern.<name>");
      }
    }
  }

  /** Returns the scrubbing that changes nothing. */
  public static Scrubbing none() {
    return NONE;
  }

  /** Returns true if nothing is scrubbed. */
  public boolean isEmpty() {
    return jsonFields.isEmpty() && formFields.isEmpty() && patterns.isEmpty();
  }

  /** Returns a copy with these JSON fields. */
  public Scrubbing withJsonFields(List<String> fields) {
    return new Scrubbing(Objects.requireNonNull(fields, "fields"), formFields, patterns,
        customPatterns, sendUnscrubbable);
  }

  /** Returns a copy with these form fields. */
  public Scrubbing withFormFields(List<String> fields) {
    return new Scrubbing(jsonFields, Objects.requireNonNull(fields, "fields"), patterns,
        customPatterns, sendUnscrubbable);
  }

  /** Returns a copy with these detectors and custom patterns. */
  public Scrubbing withPatterns(List<String> names, Map<String, String> custom) {
    return new Scrubbing(jsonFields, formFields, Objects.requireNonNull(names, "names"),
        Objects.requireNonNull(custom, "custom"), sendUnscrubbable);
  }

  /** Returns a copy that sends unscrubbable bodies unchanged, or drops them. */
  public Scrubbing withSendUnscrubbable(boolean send) {
    return new Scrubbing(jsonFields, formFields, patterns, customPatterns, send);
  }
}
