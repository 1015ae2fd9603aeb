package dev.mirror.core.config;



/**
 * A configuration value that cannot be used. The message always names the key, the value given
 * and what is allowed: {@code mirror.sample-ratio: was 1.5, must be in [0.00001, 1]}.
 */
public final class MirrorConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;

  public MirrorConfigException(String key, String message) {
    super(key + ": " + message);
    this.key = key;
  }

  public MirrorConfigException(String key, String value, String rule) {
    this(key, "was " + shown(value) + ", must be " + rule);
  }

  /** A value as messages show it: quoted when blanks or an empty list entry would hide. */
  private static String shown(String value) {
    boolean quote = value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)
        || value.contains(",,") || value.startsWith(",") || value.endsWith(",");
    return quote ? "'" + value + "'" : value;
  }

  /** Returns the key at fault (the first one, when two conflict). */
  public String key() {
    return key;
  }
}
