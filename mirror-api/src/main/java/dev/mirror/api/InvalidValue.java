package dev.mirror.api;

/** Makes the one error form used for every bad value: {@code <field>: was <value>, must be <rule>}. */
final class InvalidValue {

  private InvalidValue() {}

  static IllegalArgumentException of(String field, Object value, String rule) {
    return new IllegalArgumentException(field + ": was " + value + ", must be " + rule);
  }
}
