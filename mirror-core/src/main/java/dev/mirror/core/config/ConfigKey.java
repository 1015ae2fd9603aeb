package dev.mirror.core.config;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One configuration key of the {@link ConfigCatalog}: its name, where it may be given, its
 * default and the rule its value must follow. The parser, the unknown-key message, README's table
 * and the runtime endpoint all read keys from here, so a key is described once.
 *
 * @param <T> the type of its parsed value
 */
public final class ConfigKey<T> {

  /** Where a key may be given; a key may also be given at every wider level. */
  public enum Scope {
    /** Once for the engine: {@code mirror.<key>} only. */
    ENGINE,
    /** Per policy: {@code mirror.policy.<p>.<key>}, or {@code mirror.<key>} for every policy. */
    POLICY,
    /**
     * Per target: {@code mirror.policy.<p>.target.<t>.<key>}, {@code mirror.target.<t>.<key>},
     * or at policy or top level for every target below.
     */
    TARGET
  }

  /** Another spelling of the key, as a peer writes it, turned into this key's form. */
  public record Alias(String suffix, String rule, UnaryOperator<String> toCanonical) {}

  private final String suffix;
  private final boolean family;
  private final Scope scope;
  private final String defaultValue;
  private final String rule;
  private final Function<String, T> parser;
  private final List<Alias> aliases;

  ConfigKey(String suffix, boolean family, Scope scope, String defaultValue, String rule,
      Function<String, T> parser, List<Alias> aliases) {
    this.suffix = suffix;
    this.family = family;
    this.scope = scope;
    this.defaultValue = defaultValue;
    this.rule = rule;
    this.parser = parser;
    this.aliases = List.copyOf(aliases);
  }

  /**
   * Returns the key's name as documented: {@code mirror.timeout.read}, or for a family of keys
   * named by a header or cookie, {@code mirror.match-header.<name>}.
   */
  public String name() {
    return ConfigCatalog.PREFIX + suffix + (family ? "<name>" : "");
  }

  /** Returns the part after {@code mirror.} (and after a policy or target): {@code timeout.read}. */
  public String suffix() {
    return suffix;
  }

  /** Returns true for a family of keys ending in a header or cookie name. */
  public boolean family() {
    return family;
  }

  /** Returns the narrowest level the key may be given at. */
  public Scope scope() {
    return scope;
  }

  /** Returns the default in the key's own notation, or null when there is none. */
  public String defaultValue() {
    return defaultValue;
  }

  /** Returns what a value must be, as error messages say it: {@code in [0.00001, 1]}. */
  public String rule() {
    return rule;
  }

  /** Returns the other spellings accepted (a peer's, such as APISIX's {@code sample_ratio}). */
  public List<String> aliases() {
    return aliases.stream().map(Alias::suffix).toList();
  }

  public List<Alias> aliasRules() {
    return aliases;
  }

  /**
   * Parses a value given under {@code key} (this key's name at some level).
   *
   * @throws MirrorConfigException naming the key, the value and the rule
   */
  public T parse(String key, String value) {
    Objects.requireNonNull(value, "value");
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      // A secret's value is never echoed, not even a wrong one.
      throw e instanceof ConfigCatalog.SecretRuleViolation
          ? new MirrorConfigException(key, "must be " + violated(e))
          : new MirrorConfigException(key, value, violated(e));
    }
  }

  /** Returns the default, parsed, or null when there is none. */
  public T parseDefault() {
    return defaultValue == null ? null : parser.apply(defaultValue);
  }

  /** What a value broke: the parser's narrower words when it has them, else the key's rule. */
  private String violated(IllegalArgumentException e) {
    String message = e.getMessage();
    if (e instanceof ConfigCatalog.RuleViolation) {
      return message;
    }
    int must = message == null ? -1 : message.indexOf("must be ");
    return must >= 0 ? message.substring(must + "must be ".length()) : rule;
  }

  @Override
  public String toString() {
    return name();
  }
}
